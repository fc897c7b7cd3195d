"""Mail a service sends (reset links, invitations): queued in its own table, sent by its worker.

A use case queues a mail (`MailQueue.enqueue`) in the same transaction as the
change it reports, so a mail goes out if and only if that change committed.
The worker's `MailSender` sends what is queued through SMTP, retrying with
each poll; after `max_attempts` a mail stays in the table with its last error
for an operator to see. Several workers share the queue (`SKIP LOCKED`), so
each mail is sent by one of them.

Each service declares the table once, `mail_outbox = mail_outbox_table(metadata)`,
and its migrations create it; its settings inherit `MailSettings`.
"""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

import structlog
from pydantic import AliasChoices, BaseModel, Field
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, insert, select, update
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.clock import Clock
from servicekit.db import Database
from servicekit.worker import Heartbeat

log = structlog.get_logger("servicekit.mail")


class MailSettings(BaseModel):
    """Where mail goes and where its links point; mixed into a service's settings (same names everywhere)."""

    # Where people open the links a mail carries: the web client behind the gateway.
    public_url: str = Field("http://127.0.0.1:8080", validation_alias=AliasChoices("PORTAL_PUBLIC_URL"))
    smtp_host: str = Field("127.0.0.1", validation_alias=AliasChoices("SMTP_HOST"))
    smtp_port: int = Field(10025, validation_alias=AliasChoices("SMTP_PORT"))
    mail_from: str = "no-reply@portal.ctpat.local"


def mail_outbox_table(metadata: MetaData) -> Table:
    return Table(
        "mail_outbox",
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("recipient", String(254), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text),
    )


@dataclass(frozen=True)
class Mail:
    recipient: str
    subject: str
    body: str


class MailQueue:
    """Queues mail in the caller's transaction (a repository: it only flushes)."""

    def __init__(self, session: AsyncSession, table: Table) -> None:
        self.session = session
        self.table = table

    async def enqueue(self, mail: Mail, now: datetime) -> None:
        await self.session.execute(
            insert(self.table).values(
                id=uuid.uuid4(), recipient=mail.recipient, subject=mail.subject, body=mail.body, created_at=now
            )
        )


class MailSender:
    """The worker's loop that sends queued mail through SMTP."""

    name = "mail-sender"

    def __init__(
        self, database: Database, table: Table, clock: Clock, *, host: str, port: int, sender: str,
        poll_seconds: float = 0.5, max_attempts: int = 10,
    ) -> None:
        self._database = database
        self._table = table
        self._clock = clock
        self._host = host
        self._port = port
        self._sender = sender
        self._poll = poll_seconds
        self._max_attempts = max_attempts
        self._stopping = asyncio.Event()
        self.heartbeat = Heartbeat()

    @classmethod
    def from_settings(cls, settings: MailSettings, database: Database, table: Table, clock: Clock) -> MailSender:
        return cls(database, table, clock, host=settings.smtp_host, port=settings.smtp_port,
                   sender=settings.mail_from)

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
        m = self._table
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
