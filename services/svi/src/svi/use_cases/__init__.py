"""svi's use cases: monitoring requests and lists, and what ctpat's and trade-accounts' events tell svi."""

from svi.use_cases.context import SviContext
from svi.use_cases.from_events import (
    agreement_changed,
    company_named,
    contacts_changed,
    member_known,
    member_removed,
    model_known,
    model_moved,
    scss_assigned,
    status_changed,
)
from svi.use_cases.monitoring import (
    change_settings,
    decide,
    monitoring_you,
    remove_block,
    request_for_all_models,
    request_monitoring,
    search,
    send_certification_notice,
    settings,
    you_monitor,
)

__all__ = [
    "SviContext", "agreement_changed", "change_settings", "company_named", "contacts_changed", "decide",
    "member_known", "member_removed", "model_known", "model_moved", "monitoring_you", "remove_block",
    "request_for_all_models", "request_monitoring", "scss_assigned", "search", "send_certification_notice",
    "settings", "status_changed", "you_monitor",
]
