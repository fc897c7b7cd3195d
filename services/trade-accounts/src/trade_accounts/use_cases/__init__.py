"""Trade-accounts' use cases: one async function per command or query, inside the caller's transaction.

By role: `organization_profile` (TA-01..TA-07), `requests` (link, delink,
split, merge and Tasks: TA-08..TA-15), and one module per service whose
events are handled here (`from_identity`, `from_ctpat`). Repositories save
aggregates and move their events into the outbox; no use case touches it.
"""

from trade_accounts.use_cases.context import TradeAccountsContext
from trade_accounts.use_cases.from_ctpat import (
    scss_assigned,
    security_model_created,
    security_model_moved,
    security_model_status_changed,
    security_model_uses,
)
from trade_accounts.use_cases.from_identity import user_email_changed, user_profile_updated, user_registered
from trade_accounts.use_cases.organization_profile import (
    NavigationAccount,
    TradeOrganization,
    add_address,
    add_user,
    change_address,
    change_user,
    create_trade_account,
    get_trade_account,
    load_trade_account,
    navigation,
    remove_address,
    remove_user,
    update_company_information,
)
from trade_accounts.use_cases.requests import (
    Tasks,
    cancel_request,
    decide_request,
    get_request,
    request_delink,
    request_link,
    request_merge,
    request_split,
    tasks,
)

__all__ = [
    "NavigationAccount", "Tasks", "TradeAccountsContext", "TradeOrganization", "add_address", "add_user",
    "cancel_request", "change_address", "change_user", "create_trade_account", "decide_request", "get_request",
    "get_trade_account", "load_trade_account", "navigation", "remove_address", "remove_user", "request_delink",
    "request_link", "request_merge", "request_split", "scss_assigned", "security_model_created",
    "security_model_moved", "security_model_status_changed", "security_model_uses", "tasks",
    "update_company_information", "user_email_changed", "user_profile_updated", "user_registered",
]
