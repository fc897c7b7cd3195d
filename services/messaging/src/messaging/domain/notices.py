"""The e-mailed notice of a new message: to everyone who takes part but its author, unless they said no.

A notice says that a message is waiting and where; never what it says (mail leaves the portal, the
correspondence does not). Each user chooses for themselves whether they get notices at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Recipient:
    user_id: uuid.UUID
    email: str
    wants_notices: bool


@dataclass(frozen=True)
class Notice:
    recipient: str
    subject: str
    body: str


def notices(recipients: list[Recipient], *, author_user_id: uuid.UUID | None, thread_subject: str,
            company_name: str, link: str, system: bool) -> list[Notice]:
    """One notice per address of the thread's participants, the author and those who opted out left out."""
    seen: set[str] = set()
    out = []
    about = f" about {company_name}" if company_name else ""
    for r in recipients:
        address = r.email.lower()
        if r.user_id == author_user_id or not r.wants_notices or address in seen:
            continue
        seen.add(address)
        what = "The C-TPAT Portal sent you a message" if system else "You have a new message"
        out.append(Notice(r.email, f"C-TPAT Portal: {thread_subject}"[:200],
                          f"{what}{about} in the C-TPAT Portal: \"{thread_subject}\".\n\n"
                          f"Read it there: {link}\n\n"
                          "You can stop these e-mails under your notification settings in the portal.\n"))
    return out
