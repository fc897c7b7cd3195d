"""documents' use cases: reading and changing the libraries, and what other services' events tell documents."""

from documents.use_cases.changes import (
    Declared,
    IncomingFile,
    Placement,
    complete_upload,
    remove,
    replace_file,
    retitle,
    set_tags,
    start_new_file,
    start_upload,
    sweep_expired_uploads,
    upload,
)
from documents.use_cases.context import DocumentsContext
from documents.use_cases.from_events import (
    company_named,
    contacts_changed,
    member_known,
    member_removed,
    model_known,
    model_moved,
    scss_assigned,
)
from documents.use_cases.libraries import document, download_link, libraries, library_page, my_tags

__all__ = [
    "Declared", "DocumentsContext", "IncomingFile", "Placement", "company_named", "complete_upload",
    "contacts_changed", "document", "download_link", "libraries", "library_page", "member_known", "member_removed",
    "model_known", "model_moved", "my_tags", "remove", "replace_file", "retitle", "scss_assigned", "set_tags",
    "start_new_file", "start_upload", "sweep_expired_uploads", "upload",
]
