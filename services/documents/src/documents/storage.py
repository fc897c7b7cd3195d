"""Object storage for the libraries' bytes, through the `minio` SDK only (PL-04: MinIO in production, versitygw
in development and tests; nothing here uses more than the S3 API both speak).

Bytes never need to pass through the service (DOC-06): a browser uploads with a presigned POST form whose policy
pins the object key, bounds the size and makes the store itself verify the SHA-256 the client declared; it
downloads with a presigned GET that answers with the type read from the bytes, as an attachment. What the
service itself reads is the first few KiB of an upload, to check its type.

The SDK is synchronous (urllib3): every call that touches the network runs in a worker thread. Presigning is
computation only (the region is configured, so the SDK never asks the store for it).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO
from urllib.parse import quote

from minio import Minio
from minio.datatypes import PostPolicy
from minio.error import S3Error


@dataclass(frozen=True)
class ObjectFacts:
    size: int
    sha256: str | None  # hex, when the store verified and kept one
    head: bytes  # the first bytes, to tell what the file is


@dataclass(frozen=True)
class UploadForm:
    url: str
    fields: dict[str, str]


class ObjectStore:
    def __init__(self, *, endpoint: str, public_endpoint: str, access_key: str, secret_key: str, bucket: str,
                 region: str, secure: bool = False) -> None:
        self.bucket = bucket
        self._client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region)
        # Links are signed for the address clients reach (the signature covers the host).
        self._public = Minio(public_endpoint, access_key=access_key, secret_key=secret_key, secure=secure,
                             region=region)
        self._public_base = f"{'https' if secure else 'http'}://{public_endpoint}/{bucket}"

    # --- presigned, computed here --------------------------------------------------------------------------

    def upload_form(self, key: str, *, size: int, sha256_hex: str, expires_at: datetime) -> UploadForm:
        """A POST form for exactly this key and size whose bytes the store checks against `sha256_hex`."""
        checksum = base64.b64encode(bytes.fromhex(sha256_hex)).decode()
        policy = PostPolicy(self.bucket, expires_at.replace(tzinfo=None))
        policy.add_equals_condition("key", key)
        policy.add_content_length_range_condition(size, size)
        policy.add_equals_condition("x-amz-checksum-algorithm", "SHA256")
        policy.add_equals_condition("x-amz-checksum-sha256", checksum)
        fields = self._public.presigned_post_policy(policy)
        fields.update({"key": key, "x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-sha256": checksum})
        return UploadForm(self._public_base, fields)

    def download_link(self, key: str, *, expires: timedelta, content_type: str, file_name: str) -> str:
        """A short-lived GET answering with the checked type, as an attachment (never rendered as a page)."""
        disposition = f"attachment; filename*=UTF-8''{quote(file_name, safe='')}"
        return self._public.presigned_get_object(
            self.bucket, key, expires=expires,
            response_headers={"response-content-type": content_type, "response-content-disposition": disposition})

    # --- over the network, in a thread ------------------------------------------------------------------------

    async def put(self, key: str, data: BinaryIO, size: int, content_type: str, sha256_hex: str) -> None:
        await asyncio.to_thread(self._client.put_object, self.bucket, key, data, size, content_type=content_type,
                                metadata={"x-amz-meta-sha256": sha256_hex})

    async def landed(self, key: str, head_bytes: int) -> ObjectFacts | None:
        """What an upload left at `key`: its size, the SHA-256 the store verified (if it kept one) and its first
        `head_bytes`, in one GET whose body is dropped after those bytes (None: nothing there)."""
        def get() -> ObjectFacts | None:
            try:
                response = self._client.get_object(self.bucket, key,
                                                   request_headers={"x-amz-checksum-mode": "ENABLED"})
            except S3Error as error:
                if error.code in ("NoSuchKey", "NotFound", "NoSuchObject"):
                    return None
                raise
            try:
                head = response.read(head_bytes)
                checksum = response.headers.get("x-amz-checksum-sha256")
                return ObjectFacts(int(response.headers.get("content-length", 0)),
                                   base64.b64decode(checksum).hex() if checksum else None, head)
            finally:
                response.close()  # the rest of the body is not wanted: the connection goes, not back to the pool

        return await asyncio.to_thread(get)

    async def sha256_of(self, key: str) -> str:
        """Only for a store that did not verify a checksum itself: read the object once and hash it."""
        def digest() -> str:
            response = self._client.get_object(self.bucket, key)
            try:
                h = hashlib.sha256()
                for chunk in response.stream(1 << 20):
                    h.update(chunk)
                return h.hexdigest()
            finally:
                response.close()
                response.release_conn()

        return await asyncio.to_thread(digest)

    async def remove(self, key: str) -> None:
        await asyncio.to_thread(self._client.remove_object, self.bucket, key)

    async def ensure_reachable(self) -> None:
        """Readiness: the store answers and the bucket is there (raises otherwise)."""
        if not await asyncio.to_thread(self._client.bucket_exists, self.bucket):
            raise LookupError(f"bucket {self.bucket} does not exist")
