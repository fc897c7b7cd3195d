"""Trade-accounts' fixtures: a real PostgreSQL database per xdist worker, the app in-process.

Tokens are minted by servicekit's TestSigner, whose JWKS the app's verifier
trusts (identity is another service); users are made known to trade-accounts the way production
does it, through the handlers of identity's events.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

import trade_accounts
from servicekit.auth import StaffRole
from servicekit.testing.databases import create_test_database
from servicekit.testing.service import service_fixtures
from servicekit.testing.tokens import TestSigner
from trade_accounts import use_cases
from trade_accounts.app import build_runtime, create_app
from trade_accounts.domain.trade_account import PersonDetails
from trade_accounts.settings import TradeAccountsSettings

MIGRATIONS = Path(trade_accounts.__file__).parent / "migrations"


settings, session_clock, signer, runtime, app, client, fingerprint = service_fixtures(
    settings=lambda: TradeAccountsSettings(database_url=create_test_database("TRADE_ACCOUNTS", MIGRATIONS), traces_dir=None,
        otlp_endpoint=None, read_after_wait_seconds=1.0),
    build_runtime=build_runtime, create_app=create_app, base_url="http://trade-accounts")


@dataclass
class Person:
    user_id: uuid.UUID
    email: str
    headers: dict[str, str]


class People:
    """Makes portal users as identity's events would make them known, and their tokens."""

    def __init__(self, runtime, signer: TestSigner) -> None:
        self.runtime = runtime
        self.signer = signer

    def person(self, email: str | None = None, roles: list[StaffRole] | None = None) -> Person:
        user_id = uuid.uuid4()
        email = email or f"ta-{user_id.hex[:10]}@example.com"
        return Person(user_id, email, self.signer.bearer(user_id, email, roles or []))

    async def registered(self, email: str | None = None, *, profile: bool = True) -> Person:
        person = self.person(email)
        ctx = self.runtime.context
        async with self.runtime.database.transaction() as session:
            await use_cases.user_registered(session, ctx, person.user_id, person.email)
            if profile:
                await use_cases.user_profile_updated(
                    session, ctx, person.user_id, PersonDetails("Ms.", "Ana", "Lopez", "Compliance Officer", "+1 202 555 0100")
                )
        return person

    def staff(self, role: StaffRole) -> Person:
        return self.person(f"{role}-{uuid.uuid4().hex[:6]}@cbp.example", [role])


@pytest.fixture
def people(runtime, signer) -> People:
    return People(runtime, signer)


COMPANY = {"company_information": {"company_name": "Acme Imports LLC", "doing_business_as": "Acme",
                                   "number_of_employees": 120, "business_start_date": "1998-04-01",
                                   "brief_history": "Importer of industrial fasteners."}}
ADDRESS = {"type": "headquarters", "street_line_1": "1300 Pennsylvania Ave NW", "city": "Washington",
           "country": "US", "state": "DC", "postal_code": "20229"}


def new_user_body(email: str, type_: str = "user") -> dict:
    return {"email": email, "confirm_email": email, "salutation": "Mr.", "first_name": "Bo", "last_name": "Chen",
            "title": "Logistics Manager", "phone": "+1 305 555 0199", "type": type_}


@pytest.fixture
def bodies():
    class Bodies:
        company = COMPANY
        address = ADDRESS
        new_user = staticmethod(new_user_body)

    return Bodies


@pytest.fixture
async def account(client, people, bodies) -> tuple[dict, Person]:
    """A Trade Account and its creator (its first Company Administrator)."""
    admin = await people.registered()
    response = await client.post("/trade-accounts", json=bodies.company, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json(), admin


