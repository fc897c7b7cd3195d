"""Identity's mail (reset links): queued in its `mail_outbox` in the reset's transaction, sent from the
worker by servicekit's `MailSender` (shared with trade-accounts' invitations)."""

from __future__ import annotations

from identity import tables
from servicekit import mail
from servicekit.clock import Clock
from servicekit.db import Database


class MailSender(mail.MailSender):
    def __init__(self, database: Database, clock: Clock, **options) -> None:
        super().__init__(database, tables.mail_outbox, clock, **options)
