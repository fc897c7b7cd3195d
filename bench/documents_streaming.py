"""Bench only, never deployed: the documents API with one extra route that streams a document's bytes through the
service, so `bench.documents` can measure what DOC-06 (bytes never pass through the service) avoids.

The portal has no such route, on purpose. To measure the cost it avoids, the bench starts this app as its own
process (`python -m uvicorn --factory bench.documents_streaming:create`) next to the real one: the service's own
app, built from its settings in the environment as `python -m documents serve` builds it, plus
`GET /bench/documents/{document_id}/content`, which authorizes as the download link does and then carries the
current version's bytes from object storage to the caller in 1 MiB chunks. Nothing routes to it but the bench.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from urllib.parse import quote
from uuid import UUID

from documents import use_cases
from documents.api.deps import Context
from documents.app import create_app
from documents.settings import DocumentsSettings
from documents.use_cases.libraries import file_name_of
from fastapi import APIRouter, FastAPI
from fastapi.responses import StreamingResponse

from servicekit.db import TransactionalRoute
from servicekit.deps import CurrentPrincipal, DbReads

__all__ = ["create"]  # uvicorn calls it by name ("bench.documents_streaming:create")

CHUNK_BYTES = 1 << 20


async def document_content(document_id: UUID, principal: CurrentPrincipal, reads: DbReads,
                           ctx: Context) -> StreamingResponse:
    """The current version's bytes, through the service: what a download would cost without presigned links."""
    # The same check as GET /documents/{id}/download: 404 for a document the caller may not read.
    version = (await use_cases.document(reads, principal, document_id)).document.current
    store = ctx.store
    # The store's own client (its connection pool, as the service's other reads use); the SDK is synchronous, so
    # the request and every chunk run in worker threads.
    response = await asyncio.to_thread(store._client.get_object, store.bucket, version.file.object_key)

    def chunks() -> Iterator[bytes]:
        try:
            yield from response.stream(CHUNK_BYTES)
        finally:
            response.close()
            response.release_conn()

    disposition = f"attachment; filename*=UTF-8''{quote(file_name_of(version), safe='')}"
    # A sync iterator: Starlette takes each chunk from it in its thread pool.
    return StreamingResponse(chunks(), media_type=version.file.content_type, headers={
        "content-length": response.headers.get("content-length", str(version.file.size_bytes)),
        "content-disposition": disposition})


def create() -> FastAPI:
    """The documents API as `python -m documents serve` builds it (servicekit.cli), plus the streaming route."""
    app = create_app(DocumentsSettings())
    router = APIRouter(route_class=TransactionalRoute)
    router.add_api_route("/bench/documents/{document_id}/content", document_content, methods=["GET"],
                         response_class=StreamingResponse)
    app.include_router(router)
    return app
