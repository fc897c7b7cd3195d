"""documents' dependencies, named for what they mean, and the route class of uploads through the service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Response

from documents.domain.content import TooLarge
from documents.use_cases import DocumentsContext
from servicekit.db import TransactionalRoute
from servicekit.errors import FieldError, PortalError

# A multipart body carries the file plus its boundaries and a few small fields.
MULTIPART_ALLOWANCE = 64 * 1024


class LengthRequired(PortalError):
    status = 411
    slug = "length-required"
    title = "Content-Length required"


async def documents_context(request: Request) -> DocumentsContext:
    return request.app.state.runtime.context


Context = Annotated[DocumentsContext, Depends(documents_context)]


class BoundedUploadRoute(TransactionalRoute):
    """DOC-05: a body larger than the largest file a library keeps is refused before a byte of it is read."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def bounded(request: Request) -> Response:
            limit = request.app.state.runtime.context.max_upload_bytes
            length = request.headers.get("content-length")
            if length is None or not length.isdigit():
                raise LengthRequired("Send the upload with a Content-Length (or upload straight to storage).")
            if int(length) > limit + MULTIPART_ALLOWANCE:
                raise TooLarge(f"The upload is {int(length):,} bytes; a file may be {limit:,} bytes at most.",
                               [FieldError("file", f"the limit is {limit:,} bytes")])
            return await handler(request)

        return bounded
