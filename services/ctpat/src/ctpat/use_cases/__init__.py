"""ctpat's use cases, by role: the Security Model's commands and queries, and what other services' events do."""

from ctpat.use_cases.annual_reviews import (
    ReviewView,
    affirm,
    annual_reviews,
    approve_review,
    open_due_reviews,
    submit_review,
)
from ctpat.use_cases.context import CtpatContext
from ctpat.use_cases.from_trade_accounts import (
    address_known,
    address_removed,
    evidence_removed,
    evidence_uploaded,
    member_known,
    member_removed,
    models_moved_by_merge,
    models_moved_by_split,
    staff_email_changed,
    staff_registered,
    trade_account_created,
    user_email_changed,
)
from ctpat.use_cases.international import ProgramView, international, revoke_agreement, sign_agreement
from ctpat.use_cases.operations import (
    decide_operation,
    operations_of_model,
    pending_operations,
    request_operation,
)
from ctpat.use_cases.reviews import (
    approved_versions,
    assign_scss,
    change_anniversary,
    change_status,
    review,
    staff_with_role,
    submit_application,
    withdraw,
    work_queue,
)
from ctpat.use_cases.security_models import (
    ModelView,
    models_of_account,
    replace_addresses,
    replace_contacts,
    replace_identifiers,
    show_model,
    start_application,
)
from ctpat.use_cases.security_profile import ProfileView, answer_criterion, show_profile
from ctpat.use_cases.validations import (
    ValidationView,
    record_validation,
    reply_to_item,
    show_validation,
    submit_response,
    validation_evidence_uploaded,
    validation_summary,
)

__all__ = [
    "CtpatContext", "ModelView", "ProfileView", "ProgramView", "ReviewView",
    "ValidationView", "address_known", "address_removed", "affirm", "annual_reviews", "answer_criterion",
    "approve_review", "approved_versions", "assign_scss", "change_anniversary", "change_status", "decide_operation",
    "evidence_removed", "evidence_uploaded", "international", "member_known", "member_removed",
    "models_moved_by_merge", "models_moved_by_split", "models_of_account", "open_due_reviews", "operations_of_model",
    "pending_operations",
    "record_validation", "replace_addresses", "replace_contacts", "replace_identifiers", "reply_to_item",
    "request_operation", "review", "revoke_agreement", "show_model", "show_profile", "show_validation",
    "sign_agreement", "staff_email_changed", "staff_registered", "staff_with_role", "start_application",
    "submit_application",
    "submit_response", "submit_review", "trade_account_created", "user_email_changed", "validation_evidence_uploaded",
    "validation_summary", "withdraw", "work_queue",
]
