"""Sends the mail identity queued (reset links) through SMTP, from the worker.

Queued in the same transaction as the reset, so a link is mailed if and only
if it exists; retried with a growing pause; after `max_attempts` it stays in
the table with its last error for an operator to see.
"""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
from email.message import EmailMessage

import structlog
from sqlalchemy import select, update

from identity import tables
from servicekit.clock import Clock
from servicekit.db import Database
from servicekit.worker import Heartbeat

log = structlog.get_logger("identity.mail")


class MailSender:
    def __init__(
        self, database: Database, clock: Clock, *, host: str, port: int, sender: str,
        poll_seconds: float = 0.5, max_attempts: int = 10,
    ) -> None:
        self._database = database
        self._clock = clock
        self._host = host
        self._port = port
        self._sender = sender
        self._poll = poll_seconds
        self._max_attempts = max_attempts
        self._stopping = asyncio.Event()
        self.heartbeat = Heartbeat()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.send_pending()
                self.heartbeat.beat()
            except Exception as exc:  # noqa: BLE001 - database outage: try again later
                log.warning("mail sender error", error=repr(exc))
                self.heartbeat.beat(ok=False)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._poll)

    async def send_pending(self) -> int:
        m = tables.mail_outbox
        sent = 0
        async with self._database.transaction() as session:
            rows = (
                await session.execute(
                    select(m).where(m.c.sent_at.is_(None), m.c.attempts < self._max_attempts)
                    .order_by(m.c.created_at).limit(20).with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                try:
                    await asyncio.to_thread(self._send, row.recipient, row.subject, row.body)
                    values = {"sent_at": self._clock.now(), "attempts": row.attempts + 1}
                    sent += 1
                except (OSError, smtplib.SMTPException) as exc:
                    values = {"attempts": row.attempts + 1, "last_error": repr(exc)[:2000]}
                    log.warning("mail not sent", to=row.recipient, error=repr(exc))
                await session.execute(update(m).where(m.c.id == row.id).values(**values))
        return sent

    def _send(self, recipient: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = recipient
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(self._host, self._port, timeout=10) as smtp:
            smtp.send_message(message)
