"""The invitation mail (TA-05): who invited the person to which Trade Account, and where to go next.

A person with no portal login gets a link to register with the invited
email; one who registered but has not completed the user profile (ID-02) gets
a link to it. Either way the membership turns active once both are done.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from trade_accounts.domain.trade_account import Member, MemberType

REGISTER_PATH = "/register"
PROFILE_PATH = "/profile"


@dataclass(frozen=True)
class InvitationMail:
    recipient: str
    subject: str
    body: str


def invitation_mail(company_name: str, inviter: Member, invited: Member, public_url: str) -> InvitationMail:
    who = " ".join([inviter.details.salutation, inviter.details.first_name, inviter.details.last_name])
    role = "Company Administrator" if invited.type is MemberType.COMPANY_ADMINISTRATOR else "User"
    base = public_url.rstrip("/")
    if invited.user_id is None:
        step = (f"To accept, register in the C-TPAT Portal with this email address ({invited.email}) and complete "
                f"your user profile:\n\n{base}{REGISTER_PATH}?email={quote(invited.email)}")
    else:
        step = f"To accept, sign in and complete your user profile:\n\n{base}{PROFILE_PATH}"
    body = (
        f"Dear {invited.details.salutation} {invited.details.last_name},\n\n"
        f"{who} ({inviter.email}) has invited you to the Trade Account \"{company_name}\" in the C-TPAT Portal, "
        f"as a {role}.\n\n{step}\n\n"
        "Your access begins once you have done so. If you did not expect this invitation, you can ignore it.\n"
    )
    return InvitationMail(invited.email, f"You are invited to {company_name} in the C-TPAT Portal"[:200], body)
