"""MSG-01: who takes part in a Security Model's messages: its contacts and its assigned SCSS, nobody else.

To anyone else the model's threads do not exist (404, as an unknown id). A reassigned SCSS hands the threads to
the new one: who takes part is decided from the model's current SCSS, never remembered per thread.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from messaging.domain.thread import Author
from servicekit.errors import NotFound

NO_SUCH_MODEL = "No such Security Model."
NO_SUCH_THREAD = "No such thread."


@dataclass(frozen=True)
class Participant:
    user_id: uuid.UUID
    contact: bool
    scss: bool

    @property
    def takes_part(self) -> bool:
        return self.contact or self.scss

    @property
    def author(self) -> Author:
        # An SCSS who is also a contact of the model (it happens in tests, never at CBP) writes as the SCSS.
        return Author.SCSS if self.scss else Author.CONTACT


def ensure_takes_part(participant: Participant, *, thread: bool = False) -> None:
    if not participant.takes_part:
        raise NotFound(NO_SUCH_THREAD if thread else NO_SUCH_MODEL)
