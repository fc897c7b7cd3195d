"""svi's fixtures: a real PostgreSQL database per xdist worker, the app in-process.

Companies and Security Models are made known to svi the way production does it: trade-accounts' and ctpat's
events run through svi's own handlers (`Partners` below builds them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import svi
from svi.app import build_runtime, create_app
from svi.consumers import ctpat_handlers, trade_account_handlers
from svi.settings import SviSettings

from portal_events import Envelope
from portal_events.base import EventPayload
from portal_events.ctpat import (
    AgreementRevoked,
    AgreementSigned,
    ContactEntry,
    ContactsChanged,
    ScssAssigned,
    SecurityModelCreated,
    StatusChanged,
)
from portal_events.trade_accounts import CompanyInformationData, MemberData, TradeAccountCreated, TradeAccountUserAdded
from servicekit.auth import StaffRole
from servicekit.testing.databases import create_test_database
from servicekit.testing.service import service_fixtures
from servicekit.testing.tokens import TestSigner

MIGRATIONS = Path(svi.__file__).parent / "migrations"


settings, session_clock, signer, runtime, app, client, fingerprint = service_fixtures(
    settings=lambda: SviSettings(database_url=create_test_database("SVI", MIGRATIONS), traces_dir=None,
        otlp_endpoint=None, read_after_wait_seconds=1.0),
    build_runtime=build_runtime, create_app=create_app, base_url="http://svi")


@dataclass
class Person:
    user_id: uuid.UUID
    email: str
    headers: dict[str, str]
    member_id: uuid.UUID


@dataclass
class Partner:
    """A company's Security Model in SVI: its officer (a contact), a user who is no contact, the model's versions."""

    model_id: uuid.UUID
    trade_account_id: uuid.UUID
    name: str
    officer: Person
    bystander: Person
    status: str
    model_version: int = 0
    account_version: int = 0


class Partners:
    def __init__(self, runtime, signer: TestSigner) -> None:
        self.runtime = runtime
        self.signer = signer
        self.ctpat = ctpat_handlers()
        self.accounts = trade_account_handlers()

    def person(self, roles: list[StaffRole] | None = None) -> Person:
        user_id = uuid.uuid4()
        email = f"svi-{user_id.hex[:10]}@example.com"
        return Person(user_id, email, self.signer.bearer(user_id, email, roles or []), uuid.uuid4())

    async def _run(self, handlers, event: EventPayload) -> None:
        envelope = Envelope(type=event.event_type, source="test", subject=event.aggregate_id,
                            data=event.model_dump(mode="json"))
        async with self.runtime.database.transaction() as session:
            await handlers[event.event_type](session, envelope)

    async def model_event(self, partner: Partner, event_type, **fields) -> None:
        partner.model_version += 1
        await self._run(self.ctpat, event_type(security_model_id=partner.model_id,
                                               trade_account_id=partner.trade_account_id,
                                               occurred_at=datetime.now(UTC), version=partner.model_version,
                                               **fields))

    async def partner(self, name: str | None = None, *, status: str = "certified", signed: bool = True) -> Partner:
        name = name or f"Partner {uuid.uuid4().hex[:8]} Logistics"
        partner = Partner(uuid.uuid4(), uuid.uuid4(), name, self.person(), self.person(), status)
        partner.account_version += 1
        await self._run(self.accounts, TradeAccountCreated(
            trade_account_id=partner.trade_account_id, occurred_at=datetime.now(UTC), version=1,
            created_by=partner.officer.user_id, company_information=CompanyInformationData(
                company_name=name, doing_business_as=None, number_of_employees=None, business_start_date=None,
                brief_history=None)))
        for person in (partner.officer, partner.bystander):
            partner.account_version += 1
            await self._run(self.accounts, TradeAccountUserAdded(
                trade_account_id=partner.trade_account_id, occurred_at=datetime.now(UTC),
                version=partner.account_version, member=MemberData(
                    member_id=person.member_id, user_id=person.user_id, email=person.email, salutation="Ms.",
                    first_name="Ana", last_name="Lopez", title="Officer", phone="+1 202 555 0100", type="user",
                    status="active")))
        await self.model_event(partner, SecurityModelCreated, business_types=["importer"])
        await self.model_event(partner, ContactsChanged, contacts=[
            ContactEntry(member_id=partner.officer.member_id, contact_type="officer", primary_poc=True)])
        await self.set_status(partner, status)
        if signed:
            await self.sign(partner)
        return partner

    async def set_status(self, partner: Partner, status: str) -> None:
        previous, partner.status = partner.status, status
        await self.model_event(partner, StatusChanged, status=status, previous_status=previous,
                               certified=status.startswith("certified"), changed_by=uuid.uuid4(), reason="test",
                               business_types=["importer"])

    async def sign(self, partner: Partner) -> None:
        await self.model_event(partner, AgreementSigned, agreement="svi", agreement_version="2026.1",
                               signed_by=partner.officer.user_id)

    async def revoke(self, partner: Partner) -> None:
        await self.model_event(partner, AgreementRevoked, agreement="svi", revoked_by=partner.officer.user_id)

    async def assign_scss(self, partner: Partner) -> Person:
        scss = self.person([StaffRole.SCSS])
        await self.model_event(partner, ScssAssigned, scss_user_id=scss.user_id)
        return scss


@pytest.fixture
def partners(runtime, signer) -> Partners:
    return Partners(runtime, signer)
