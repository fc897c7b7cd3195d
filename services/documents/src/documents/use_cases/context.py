"""What documents' use cases need besides the session; built once at bootstrap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from documents.storage import ObjectStore
from servicekit.clock import Clock


@dataclass
class DocumentsContext:
    clock: Clock
    store: ObjectStore
    max_upload_bytes: int
    download_link_lifetime: timedelta
    upload_form_lifetime: timedelta
