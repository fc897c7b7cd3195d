"""documents' settings; its own names start with DOCUMENTS_, shared ones (S3_*) are unprefixed."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from documents.domain.content import MAX_UPLOAD_BYTES
from servicekit.settings import ServiceSettings


class DocumentsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DOCUMENTS_", extra="ignore", populate_by_name=True)

    service_name: str = "documents"
    database_url: str = "postgresql+asyncpg://documents:documents@127.0.0.1:15432/documents"
    worker_health_port: int = 8115
    port: int = 8105

    # Object storage (PL-04), as deploy/local/env.sh names it for every process.
    s3_endpoint: str = Field("127.0.0.1:19000", validation_alias=AliasChoices("S3_ENDPOINT", "s3_endpoint"))
    # Where clients reach the store (presigned links are signed for it); empty: s3_endpoint.
    s3_public_endpoint: str = Field("", validation_alias=AliasChoices("S3_PUBLIC_ENDPOINT", "s3_public_endpoint"))
    s3_access_key: str = Field("portal-local", validation_alias=AliasChoices("S3_ACCESS_KEY", "s3_access_key"))
    s3_secret_key: str = Field("portal-local-secret-key",
                               validation_alias=AliasChoices("S3_SECRET_KEY", "s3_secret_key"))
    s3_bucket: str = Field("portal-documents", validation_alias=AliasChoices("S3_BUCKET", "s3_bucket"))
    s3_region: str = Field("us-east-1", validation_alias=AliasChoices("S3_REGION", "s3_region"))
    s3_secure: bool = Field(False, validation_alias=AliasChoices("S3_SECURE", "s3_secure"))

    # DOC-05: the largest file a library keeps; at most the API's published ceiling (25 MiB).
    max_upload_bytes: int = Field(MAX_UPLOAD_BYTES, ge=1, le=MAX_UPLOAD_BYTES)
    # DOC-06: how long a download link works; how long an upload form does.
    download_link_seconds: int = 300
    upload_form_seconds: int = 900
    # How often the worker removes uploads that were started and never completed.
    upload_sweep_seconds: float = 60.0
