"""Identity's use cases: one async function per command or query, inside the caller's transaction.

By role: `registration` (ID-01..ID-04, the profile), `sessions` (sign-in,
refresh, sign-out: ID-10), `credentials` (password, questions and email
while signed in: ID-05..ID-07, ID-09), `password_reset` (ID-08), `helpdesk`
(a CBP Admin unlocks a sign-in, clears the questions, sends a reset link);
`credential_guard` wraps every check of a password or security answers in
the ID-12 counters.

Each only flushes; the HTTP edge commits once. Repositories save the `User`
and move its events into the outbox; no use case touches it. Counters that
must survive a refusal (failed credential checks, wrong reset answers, a
detected refresh-token reuse) are written in their own short transaction
through `IdentityContext.database`, because the refusal rolls the request back.
"""

from identity.domain.user import Profile
from identity.use_cases.context import IdentityContext
from identity.use_cases.credential_guard import forget_stale_counters
from identity.use_cases.credentials import (
    change_email,
    change_password,
    change_security_questions,
    choose_new_security_questions,
)
from identity.use_cases.helpdesk import act_for_helpdesk, admin_id_by_email, helpdesk_actions
from identity.use_cases.password_reset import (
    complete_password_reset,
    request_password_reset,
    reset_questions,
    send_reset_link,
    verify_reset_answers,
)
from identity.use_cases.registration import complete_profile, get_user, register, show_user
from identity.use_cases.sessions import refresh, sign_in, sign_out, sign_out_everywhere, sign_out_session

__all__ = [
    "IdentityContext", "Profile", "act_for_helpdesk", "admin_id_by_email", "change_email", "change_password",
    "change_security_questions", "choose_new_security_questions", "complete_password_reset", "complete_profile",
    "forget_stale_counters", "get_user", "helpdesk_actions", "refresh", "register", "request_password_reset",
    "reset_questions", "send_reset_link", "show_user", "sign_in", "sign_out", "sign_out_everywhere",
    "sign_out_session", "verify_reset_answers",
]
