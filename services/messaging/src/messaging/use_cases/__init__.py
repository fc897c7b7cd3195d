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
    operation_decided,
    request_decided,
    scss_assigned,
    staff_email_changed,
    staff_known,
    status_changed,
)
from messaging.use_cases.threads import (
    ask_name_change,
    choose_notifications,
    inbox,
    mark_read,
    notification_settings,
    reply,
    show_thread,
    start_thread,
    threads_of_model,
)

__all__ = [
    "MessagingContext", "annual_review_window_opened", "ask_name_change", "company_named", "contacts_changed",
    "document_removed",
    "document_uploaded", "inbox", "mark_read", "member_known", "member_removed", "model_known", "model_moved",
    "reply", "scss_assigned", "show_thread", "start_thread", "threads_of_model", "choose_notifications",
    "notification_settings", "operation_decided", "request_decided", "staff_email_changed", "staff_known",
    "status_changed",
]
