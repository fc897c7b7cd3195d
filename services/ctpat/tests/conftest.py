"""ctpat's fixtures: a real PostgreSQL database per xdist worker, the app in-process.

Tokens are minted by servicekit's TestSigner, whose JWKS the app's verifier
trusts. Trade Accounts are made known to ctpat the way production does it:
through the handlers of trade-accounts' events (`Companies` below builds the
events and runs them through `ctpat.consumers`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import ctpat
import pytest
from ctpat.app import build_runtime, create_app
from ctpat.consumers import trade_account_handlers
from ctpat.settings import CtpatSettings

from portal_events import Envelope
from portal_events.base import EventPayload
from portal_events.trade_accounts import (
    AddressData,
    CompanyInformationData,
    MemberData,
    TradeAccountAddressAdded,
    TradeAccountCreated,
    TradeAccountUserAdded,
    TradeAccountUserChanged,
)
from servicekit.auth import StaffRole
from servicekit.testing.databases import create_test_database
from servicekit.testing.service import service_fixtures
from servicekit.testing.tokens import TestSigner

MIGRATIONS = Path(ctpat.__file__).parent / "migrations"


settings, session_clock, signer, runtime, app, client, fingerprint = service_fixtures(
    settings=lambda: CtpatSettings(database_url=create_test_database("CTPAT", MIGRATIONS), traces_dir=None,
        otlp_endpoint=None, read_after_wait_seconds=1.0),
    build_runtime=build_runtime, create_app=create_app, base_url="http://ctpat")


@dataclass
class Person:
    user_id: uuid.UUID
    email: str
    headers: dict[str, str]
    member_id: uuid.UUID | None = None


@dataclass
class Company:
    """A Trade Account as trade-accounts' events made it known to ctpat, with its people and addresses."""

    trade_account_id: uuid.UUID
    admin: Person
    users: list[Person] = field(default_factory=list)
    address_ids: list[uuid.UUID] = field(default_factory=list)
    version: int = 0


class Companies:
    """Runs trade-accounts' events through ctpat's own handlers, as the worker would."""

    def __init__(self, runtime, signer: TestSigner) -> None:
        self.runtime = runtime
        self.signer = signer
        self.handlers = trade_account_handlers()

    def person(self, roles: list[StaffRole] | None = None, prefix: str = "ct") -> Person:
        user_id = uuid.uuid4()
        email = f"{prefix}-{user_id.hex[:10]}@example.com"
        return Person(user_id, email, self.signer.bearer(user_id, email, roles or []))

    def staff(self, role: StaffRole) -> Person:
        return self.person([role], prefix=str(role))

    async def _apply(self, company: Company, event_type: type[EventPayload], **fields) -> None:
        company.version += 1
        event = event_type(trade_account_id=company.trade_account_id, occurred_at=datetime.now(UTC),
                           version=company.version, **fields)
        envelope = Envelope(type=event.event_type, source="trade-accounts", subject=event.aggregate_id,
                            data=event.model_dump(mode="json"))
        async with self.runtime.database.transaction() as session:
            await self.handlers[event.event_type](session, envelope)

    def _member(self, person: Person, type_: str, status: str = "active") -> MemberData:
        return MemberData(member_id=person.member_id, user_id=person.user_id if status == "active" else None,
                          email=person.email, salutation="Ms.", first_name="Ana", last_name="Lopez",
                          title="Compliance Officer", phone="+1 202 555 0100", type=type_, status=status)

    async def company(self, *, users: int = 2, addresses: int = 3) -> Company:
        admin = self.person()
        admin.member_id = uuid.uuid4()
        company = Company(uuid.uuid4(), admin)
        await self._apply(company, TradeAccountCreated, created_by=admin.user_id,
                          company_information=CompanyInformationData(
                              company_name="Acme Imports LLC", doing_business_as=None, number_of_employees=120,
                              business_start_date=None, brief_history=None))
        await self._apply(company, TradeAccountUserAdded, member=self._member(admin, "company_administrator"))
        for _ in range(users):
            await self.add_user(company)
        for _ in range(addresses):
            await self.add_address(company)
        return company

    async def add_user(self, company: Company, *, status: str = "active") -> Person:
        person = self.person()
        person.member_id = uuid.uuid4()
        await self._apply(company, TradeAccountUserAdded, member=self._member(person, "user", status))
        company.users.append(person)
        return person

    async def change_user(self, company: Company, person: Person, *, status: str) -> None:
        await self._apply(company, TradeAccountUserChanged, member=self._member(person, "user", status))

    async def add_address(self, company: Company) -> uuid.UUID:
        address_id = uuid.uuid4()
        await self._apply(company, TradeAccountAddressAdded, address=AddressData(
            address_id=address_id, type="headquarters", street_line_1="1300 Pennsylvania Ave NW",
            street_line_2=None, city="Washington", country="US", state="DC", postal_code="20229"))
        company.address_ids.append(address_id)
        return address_id


@pytest.fixture
def companies(runtime, signer) -> Companies:
    return Companies(runtime, signer)




def eligible_answers(business_type: str) -> dict[str, str]:
    """For each question, the first answer that neither refuses nor (for sub-types) is missing."""
    from ctpat.catalogue import current

    spec = current().business_type(business_type)
    return {q.id: next(c.value for c in q.choices if not c.ineligible) for q in spec.questions}


def valid_identifiers(business_type: str) -> dict[str, list[str]]:
    from ctpat.catalogue import current

    catalogue = current()
    spec = catalogue.business_type(business_type)
    return {code: [catalogue.identifier_kinds[code].formats[0].example] for code in spec.identifiers}


def application_body(company: Company, business_type: str = "importer", contact_type: str = "officer") -> dict:
    return {
        "trade_account_id": str(company.trade_account_id), "business_type": business_type,
        "eligibility_answers": eligible_answers(business_type), "identifiers": valid_identifiers(business_type),
        "applicant_contact_type": contact_type,
    }


@pytest.fixture
def application():
    """`application(company, business_type="importer", contact_type="officer")`: a valid application body."""
    return application_body


@pytest.fixture
async def applied(client, companies) -> tuple[dict, Company]:
    """An importer application started by the company's administrator (as an Officer, the Primary POC)."""
    company = await companies.company()
    response = await client.post("/security-models", json=application_body(company), headers=company.admin.headers)
    assert response.status_code == 201, response.text
    return response.json(), company


@pytest.fixture
def evidence(runtime):
    """`await evidence(model_id, criterion_id)`: a document uploaded for a criterion, as documents' event says."""
    from ctpat.consumers import document_handlers

    from portal_events.documents import DocumentUploaded, UploadedFor

    handler = document_handlers()[DocumentUploaded.event_type]

    async def upload(model_id, criterion_id: str, *, title: str = "Security policy.pdf", document_id=None):
        event = DocumentUploaded(
            document_id=document_id or uuid.uuid4(), occurred_at=datetime.now(UTC), library="partner",
            security_model_id=uuid.UUID(str(model_id)), title=title, document_type="policy",
            content_type="application/pdf", size_bytes=1000, uploaded_by=uuid.uuid4(), version=1,
            uploaded_for=UploadedFor(kind="security_profile_criterion", criterion_id=criterion_id),
        )
        envelope = Envelope(type=event.event_type, source="documents", subject=event.aggregate_id,
                            data=event.model_dump(mode="json"))
        async with runtime.database.transaction() as session:
            await handler(session, envelope)
        return event.document_id

    return upload


@pytest.fixture
def staff(runtime, companies):
    """`await staff(role)`: a CBP staff member, made known to ctpat by identity's UserRegistered."""
    from ctpat.consumers import identity_handlers

    from portal_events.identity import UserRegistered

    handler = identity_handlers()[UserRegistered.event_type]

    async def make(role: StaffRole) -> Person:
        person = companies.staff(role)
        event = UserRegistered(user_id=person.user_id, email=person.email, kind="cbp", staff_roles=[role.value],
                               occurred_at=datetime.now(UTC), version=1)
        envelope = Envelope(type=event.event_type, source="identity", subject=event.aggregate_id,
                            data=event.model_dump(mode="json"))
        async with runtime.database.transaction() as session:
            await handler(session, envelope)
        return person

    return make


@pytest.fixture
def outbox(runtime):
    """`await outbox(model_id)`: the event types the model's changes put in the outbox, in order."""
    from ctpat import tables
    from sqlalchemy import select

    async def read(model_id) -> list[str]:
        async with runtime.database.transaction() as session:
            rows = await session.execute(select(tables.outbox.c.event_type)
                                         .where(tables.outbox.c.key == str(model_id)).order_by(tables.outbox.c.seq))
            return [r.event_type for r in rows]

    return read


@pytest.fixture
def complete(client, evidence):
    """`await complete(model, company)`: addresses, contacts and every criterion answered (with evidence)."""

    async def fill(model: dict, company: Company, *, officer: Person | None = None) -> None:
        officer = officer or company.admin
        headers = officer.headers
        url = f"/security-models/{model['id']}"
        first, second, *_ = company.address_ids
        r = await client.put(f"{url}/addresses", headers=headers, json={"addresses": [
            {"address_id": str(first), "primary": True, "mailing": True}, {"address_id": str(second)}]})
        assert r.status_code == 200, r.text
        profile = (await client.get(f"{url}/profile", headers=headers)).json()
        for category in profile["categories"]:
            for criterion in category["criteria"]:
                r = await client.put(f"{url}/profile/{criterion['id']}", headers=headers,
                                     json={"response": f"We meet {criterion['id']} with a written procedure."})
                assert r.status_code == 200, r.text
                if criterion["evidence_required"]:
                    await evidence(model["id"], criterion["id"])

    return fill


@dataclass
class Certified:
    model: dict
    company: Company
    scss: Person
    management: Person


@pytest.fixture
def certify(client, companies, complete, staff, application):
    """`await certify(business_type)`: a model taken through application, submission and SCSS approval."""
    from ctpat.domain.security_model import AGREEMENT_VERSIONS, AgreementKind

    async def run(business_type: str = "importer") -> Certified:
        company = await companies.company()
        created = await client.post("/security-models", json=application(company, business_type),
                                    headers=company.admin.headers)
        assert created.status_code == 201, created.text
        model = created.json()
        scss, management = await staff(StaffRole.SCSS), await staff(StaffRole.MANAGEMENT)
        url = f"/security-models/{model['id']}"
        r = await client.put(f"{url}/scss", json={"scss_user_id": str(scss.user_id)}, headers=management.headers)
        assert r.status_code == 200, r.text
        await complete(model, company)
        r = await client.post(f"{url}/submission", headers=company.admin.headers, json={
            "agreement_version": AGREEMENT_VERSIONS[AgreementKind.PARTNER], "signer_name": "Ana Lopez"})
        assert r.status_code == 200, r.text
        r = await client.post(f"{url}/review", json={"decision": "approve"}, headers=scss.headers)
        assert r.status_code == 200, r.text
        return Certified(r.json(), company, scss, management)

    return run
