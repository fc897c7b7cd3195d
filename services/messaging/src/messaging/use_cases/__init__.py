"""messaging's use cases: the Messages tab, and what other services' events tell messaging."""

from messaging.use_cases.context import MessagingContext
from messaging.use_cases.from_events import (
    annual_review_window_opened,
    company_named,
    contacts_changed,
    document_removed,
    document_uploaded,
    member_known,
    member_removed,
    model_known,
    model_moved,
    scss_assigned,
)
from messaging.use_cases.threads import inbox, mark_read, reply, show_thread, start_thread, threads_of_model

__all__ = [
    "MessagingContext", "annual_review_window_opened", "company_named", "contacts_changed", "document_removed",
    "document_uploaded", "inbox", "mark_read", "member_known", "member_removed", "model_known", "model_moved",
    "reply", "scss_assigned", "show_thread", "start_thread", "threads_of_model",
]
