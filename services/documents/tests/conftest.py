"""documents' fixtures: a real PostgreSQL database per xdist worker, the real S3 store, the app in-process.

Trade Accounts and Security Models are made known to documents the way production does it: trade-accounts'
and ctpat's events run through documents' own handlers (`Scene` below builds them).
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import documents
import httpx
import pytest
from documents.app import build_runtime, create_app
from documents.consumers import ctpat_handlers, trade_account_handlers
from documents.settings import DocumentsSettings

from portal_events import Envelope
from portal_events.base import EventPayload
from portal_events.ctpat import ContactEntry, ContactsChanged, ScssAssigned, SecurityModelCreated
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

MIGRATIONS = Path(documents.__file__).parent / "migrations"

# The smallest files of each kind a library accepts, made of their real first bytes.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def pdf(text: str = "evidence") -> bytes:
    return PDF + f"% {text} {uuid.uuid4()}\n".encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


settings, session_clock, signer, runtime, app, client, fingerprint = service_fixtures(
    settings=lambda: DocumentsSettings(database_url=create_test_database("DOCUMENTS", MIGRATIONS), traces_dir=None,
        otlp_endpoint=None, read_after_wait_seconds=1.0, max_upload_bytes=256 * 1024),
    build_runtime=build_runtime, create_app=create_app, base_url="http://documents")


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
        self.ctpat = ctpat_handlers()
        self.accounts = trade_account_handlers()

    def person(self, roles: list[StaffRole] | None = None) -> Person:
        user_id = uuid.uuid4()
        email = f"doc-{user_id.hex[:10]}@example.com"
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

    async def join(self, company: Company, person: Person) -> None:
        await self.account_event(company, TradeAccountUserAdded, member=MemberData(
            member_id=person.member_id, user_id=person.user_id, email=person.email, salutation="Ms.",
            first_name="Ana", last_name="Lopez", title="Security manager", phone="+1 202 555 0100", type="user",
            status="active"))

    async def leave(self, company: Company, person: Person) -> None:
        await self.account_event(company, TradeAccountUserRemoved, member_id=person.member_id, user_id=person.user_id)

    async def company(self, *, scss: Person | None = None) -> Company:
        company = Company(uuid.uuid4(), uuid.uuid4(), self.person(), self.person(), scss or self.person([StaffRole.SCSS]))
        await self.account_event(company, TradeAccountCreated, created_by=company.officer.user_id,
                                 company_information=CompanyInformationData(
                                     company_name=f"Company {company.trade_account_id.hex[:6]}",
                                     doing_business_as=None, number_of_employees=None, business_start_date=None,
                                     brief_history=None))
        for person in (company.officer, company.bystander):
            await self.join(company, person)
        await self.model_event(company, SecurityModelCreated, business_types=["importer"])
        await self.set_contacts(company, [company.officer])
        await self.model_event(company, ScssAssigned, scss_user_id=company.scss.user_id)
        return company

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


async def _upload(client: httpx.AsyncClient, who: Person, *, library: str = "partner",
                 model_id: uuid.UUID | None = None, data: bytes | None = None, title: str = "Seal procedure",
                 document_type: str = "policy_procedure", file_name: str = "procedure.pdf",
                 content_type: str = "application/pdf", expect: int = 201, **fields: str) -> dict:
    form = {"document_type": document_type, "title": title, **fields}
    if model_id is not None:
        form["security_model_id"] = str(model_id)
    response = await client.post(f"/libraries/{library}/documents", headers=who.headers, data=form,
                                 files={"file": (file_name, io.BytesIO(data if data is not None else pdf()),
                                                 content_type)})
    assert response.status_code == expect, response.text
    return response.json()


class Files:
    """Files of each kind, by their real first bytes."""

    PDF, PNG, EXE = PDF, PNG, EXE
    pdf = staticmethod(pdf)
    sha256 = staticmethod(sha256)


@pytest.fixture
def files() -> type[Files]:
    return Files


@pytest.fixture
def upload(client):
    """`await upload(who, model_id=..., data=..., expect=201, **form fields)`: a file through the service."""
    async def call(who: Person, **kwargs) -> dict:
        return await _upload(client, who, **kwargs)
    return call


@pytest.fixture
def outbox(runtime):
    """`await outbox(document_id)`: (event type, payload) of every event the document's changes recorded, in order."""
    import json

    from documents import tables
    from sqlalchemy import select

    async def read(document_id) -> list[tuple[str, dict]]:
        async with runtime.database.transaction() as session:
            rows = await session.execute(select(tables.outbox.c.event_type, tables.outbox.c.payload)
                                         .where(tables.outbox.c.key == str(document_id))
                                         .order_by(tables.outbox.c.seq))
            return [(r.event_type, r.payload if isinstance(r.payload, dict) else json.loads(r.payload))
                    for r in rows]

    return read
