"""messaging's fixtures: a real PostgreSQL database per xdist worker, the app in-process.

Trade Accounts, Security Models and documents are made known to messaging the way production does it: the other
services' events run through messaging's own handlers (`Scene` below builds them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import messaging
import pytest
from messaging.app import build_runtime, create_app
from messaging.consumers import ctpat_handlers, document_handlers, identity_handlers, trade_account_handlers
from messaging.settings import MessagingSettings

from portal_events import Envelope
from portal_events.base import EventPayload
from portal_events.ctpat import (
    AnnualReviewWindowOpened,
    ContactEntry,
    ContactsChanged,
    ScssAssigned,
    SecurityModelCreated,
)
from portal_events.documents import DocumentUploaded
from portal_events.identity import UserRegistered
from portal_events.trade_accounts import (
    CompanyInformationData,
    MemberData,
    TradeAccountCreated,
    TradeAccountUserAdded,
    TradeAccountUserRemoved,
)
from servicekit.auth import StaffRole
from servicekit.testing.databases import create_test_database
from servicekit.testing.service import service_fixtures
from servicekit.testing.tokens import TestSigner

MIGRATIONS = Path(messaging.__file__).parent / "migrations"


settings, session_clock, signer, runtime, app, client, fingerprint = service_fixtures(
    settings=lambda: MessagingSettings(database_url=create_test_database("MESSAGING", MIGRATIONS), traces_dir=None,
        otlp_endpoint=None, read_after_wait_seconds=1.0),
    build_runtime=build_runtime, create_app=create_app, base_url="http://messaging")


@dataclass
class Person:
    user_id: uuid.UUID
    email: str
    headers: dict[str, str]
    member_id: uuid.UUID


@dataclass
class Company:
    """A Trade Account with one Security Model: its Officer (a contact), a user who is no contact, its SCSS."""

    trade_account_id: uuid.UUID
    model_id: uuid.UUID
    officer: Person
    bystander: Person
    scss: Person
    account_version: int = 0
    model_version: int = 0
    contacts: list[Person] = field(default_factory=list)


class Scene:
    def __init__(self, runtime, signer: TestSigner) -> None:
        self.runtime = runtime
        self.signer = signer
        self.ctpat = ctpat_handlers(runtime.context)
        self.identity = identity_handlers()
        self.accounts = trade_account_handlers(runtime.context)

    def person(self, roles: list[StaffRole] | None = None) -> Person:
        user_id = uuid.uuid4()
        email = f"msg-{user_id.hex[:10]}@example.com"
        return Person(user_id, email, self.signer.bearer(user_id, email, roles or []), uuid.uuid4())

    def admin(self) -> Person:
        return self.person([StaffRole.ADMIN])

    async def _run(self, handlers, event: EventPayload) -> None:
        envelope = Envelope(type=event.event_type, source="test", subject=event.aggregate_id,
                            data=event.model_dump(mode="json"))
        async with self.runtime.database.transaction() as session:
            await handlers[event.event_type](session, envelope)

    async def account_event(self, company: Company, event_type, **fields) -> None:
        company.account_version += 1
        await self._run(self.accounts, event_type(trade_account_id=company.trade_account_id,
                                                  occurred_at=datetime.now(UTC), version=company.account_version,
                                                  **fields))

    async def model_event(self, company: Company, event_type, **fields) -> None:
        company.model_version += 1
        await self._run(self.ctpat, event_type(security_model_id=company.model_id,
                                               trade_account_id=company.trade_account_id,
                                               occurred_at=datetime.now(UTC), version=company.model_version,
                                               **fields))

    async def join(self, company: Company, person: Person, member_type: str = "user") -> None:
        await self.account_event(company, TradeAccountUserAdded, member=MemberData(
            member_id=person.member_id, user_id=person.user_id, email=person.email, salutation="Ms.",
            first_name="Ana", last_name="Lopez", title="Security manager", phone="+1 202 555 0100",
            type=member_type, status="active"))

    async def leave(self, company: Company, person: Person) -> None:
        await self.account_event(company, TradeAccountUserRemoved, member_id=person.member_id, user_id=person.user_id)

    async def company(self, *, scss: Person | None = None, assign: bool = True) -> Company:
        company = Company(uuid.uuid4(), uuid.uuid4(), self.person(), self.person(), scss or self.person([StaffRole.SCSS]))
        await self.account_event(company, TradeAccountCreated, created_by=company.officer.user_id,
                                 company_information=CompanyInformationData(
                                     company_name=f"Company {company.trade_account_id.hex[:6]}",
                                     doing_business_as=None, number_of_employees=None, business_start_date=None,
                                     brief_history=None))
        # The Officer created the Trade Account: its Company Administrator; the bystander is a plain user.
        await self.join(company, company.officer, "company_administrator")
        await self.join(company, company.bystander)
        await self.model_event(company, SecurityModelCreated, business_types=["importer"])
        await self.set_contacts(company, [company.officer])
        await self.staff(company.scss)
        if assign:
            await self.model_event(company, ScssAssigned, scss_user_id=company.scss.user_id)
        return company

    async def staff(self, person: Person, roles: tuple[str, ...] = ("scss",)) -> None:
        """identity's UserRegistered for a CBP staff member: where their notices go."""
        await self._run(self.identity, UserRegistered(user_id=person.user_id, occurred_at=datetime.now(UTC),
                                                      version=1, email=person.email, kind="cbp",
                                                      staff_roles=list(roles)))

    async def set_contacts(self, company: Company, people: list[Person]) -> None:
        company.contacts = list(people)
        await self.model_event(company, ContactsChanged, contacts=[
            ContactEntry(member_id=p.member_id, contact_type="officer" if i == 0 else "employee", primary_poc=i == 0)
            for i, p in enumerate(people)])

    async def add_contact(self, company: Company) -> Person:
        person = self.person()
        await self.join(company, person)
        await self.set_contacts(company, [*company.contacts, person])
        return person


@pytest.fixture
def scene(runtime, signer) -> Scene:
    return Scene(runtime, signer)


class Events:
    """What ctpat and documents tell messaging, beyond the scene's accounts and models."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.documents = document_handlers()

    async def review_window_opened(self, company: Company, year: int, due: date, *, again: int = 1) -> None:
        company.model_version += 1
        event = AnnualReviewWindowOpened(
            security_model_id=company.model_id, trade_account_id=company.trade_account_id,
            occurred_at=datetime.now(UTC), version=company.model_version, review_year=year, opens_on=due,
            due_date=due)
        envelope = Envelope(type=event.event_type, source="test", subject=event.aggregate_id,
                            data=event.model_dump(mode="json"))
        for _ in range(again):  # a redelivery reaches the handler only past the inbox; here it is called anyway
            async with self.scene.runtime.database.transaction() as session:
                await self.scene.ctpat[event.event_type](session, envelope)

    async def document(self, company: Company, title: str = "Seal log") -> uuid.UUID:
        document_id = uuid.uuid4()
        event = DocumentUploaded(document_id=document_id, occurred_at=datetime.now(UTC), library="partner",
                                 security_model_id=company.model_id, title=title, document_type="other",
                                 content_type="application/pdf", size_bytes=10, uploaded_by=company.officer.user_id,
                                 version=1)
        envelope = Envelope(type=event.event_type, source="test", subject=event.aggregate_id,
                            data=event.model_dump(mode="json"))
        async with self.scene.runtime.database.transaction() as session:
            await self.documents[event.event_type](session, envelope)
        return document_id


@pytest.fixture
def events(scene) -> Events:
    return Events(scene)


@pytest.fixture
def outbox(runtime):
    """`await outbox(thread_id)`: (event type, payload) of every event the thread recorded, in order."""
    import json

    from messaging import tables
    from sqlalchemy import select

    async def read(thread_id) -> list[tuple[str, dict]]:
        async with runtime.database.transaction() as session:
            rows = await session.execute(select(tables.outbox.c.event_type, tables.outbox.c.payload)
                                         .where(tables.outbox.c.key == str(thread_id))
                                         .order_by(tables.outbox.c.seq))
            return [(r.event_type, r.payload if isinstance(r.payload, dict) else json.loads(r.payload))
                    for r in rows]

    return read
