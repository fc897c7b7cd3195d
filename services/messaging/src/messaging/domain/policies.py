"""MSG-01: who takes part in a Security Model's messages: its contacts and its assigned SCSS, nobody else. A
Trade Account's request to CBP (a company name change) is between its Company Administrators and the SCSS it
went to, or CBP Management when the account has no SCSS (the program's mailbox).

To anyone else the model's threads do not exist (404, as an unknown id). A reassigned SCSS hands the threads to
the new one: who takes part is decided from the model's current SCSS, never remembered per thread.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from messaging.domain.thread import Author
from servicekit.errors import Forbidden, NotFound

NO_SUCH_MODEL = "No such Security Model."
NO_SUCH_THREAD = "No such thread."


@dataclass(frozen=True)
class Participant:
    user_id: uuid.UUID
    contact: bool  # a contact of the model; on a name change, an administrator of the Trade Account
    scss: bool  # the model's assigned SCSS; on a name change, the SCSS it was sent to
    mailbox: bool = False  # CBP Management, on a name change sent to the program's mailbox (no SCSS)

    @property
    def takes_part(self) -> bool:
        return self.contact or self.scss or self.mailbox

    @property
    def author(self) -> Author:
        # An SCSS who is also a contact of the model (it happens in tests, never at CBP) writes as the SCSS.
        if self.scss:
            return Author.SCSS
        return Author.CONTACT if self.contact else Author.MANAGEMENT


def ensure_may_ask_name_change(member: bool, administrator: bool) -> None:
    """The manual: the company name is CBP's to change; a Trade Account's administrator asks for it."""
    if not member:
        raise NotFound("No such Trade Account.")
    if not administrator:
        raise Forbidden("Only the Trade Account's Company Administrators ask CBP to change the company name.")


def ensure_takes_part(participant: Participant, *, thread: bool = False) -> None:
    if not participant.takes_part:
        raise NotFound(NO_SUCH_THREAD if thread else NO_SUCH_MODEL)
