"""Trade-accounts' fixtures: a real PostgreSQL database per xdist worker, the app in-process.

Tokens are minted here with a test key the app's verifier trusts (identity is
another service); users are made known to trade-accounts the way production
does it, through the handlers of identity's events.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

import trade_accounts
from servicekit.auth import TokenVerifier
from servicekit.clock import MovableClock
from servicekit.testing.databases import create_test_database
from trade_accounts import use_cases
from trade_accounts.app import build_runtime, create_app
from trade_accounts.domain.trade_account import PersonDetails
from trade_accounts.settings import TradeAccountsSettings

MIGRATIONS = Path(trade_accounts.__file__).parent / "migrations"
KID = "trade-accounts-test-key"


@pytest.fixture(scope="session")
def settings() -> TradeAccountsSettings:
    return TradeAccountsSettings(
        database_url=create_test_database("TRADE_ACCOUNTS", MIGRATIONS), traces_dir=None, otlp_endpoint=None,
        read_after_wait_seconds=1.0,
    )


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def session_clock() -> MovableClock:
    return MovableClock()


@pytest.fixture(scope="session")
def runtime(settings, signing_key, session_clock):
    jwk = {**json.loads(OKPAlgorithm.to_jwk(signing_key.public_key())), "kid": KID, "alg": "EdDSA"}

    async def jwks() -> dict:
        return {"keys": [jwk]}

    verifier = TokenVerifier(jwks, issuer=settings.jwt_issuer, audience=settings.jwt_audience, clock=session_clock)
    return build_runtime(settings, clock=session_clock, token_verifier=verifier)


@pytest.fixture(scope="session")
async def app(settings, runtime) -> AsyncIterator:
    application = create_app(settings, runtime)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trade-accounts") as c:
        yield c


@dataclass
class Person:
    user_id: uuid.UUID
    email: str
    headers: dict[str, str]


class People:
    """Makes portal users as identity's events would make them known, and their tokens."""

    def __init__(self, runtime, settings, signing_key) -> None:
        self.runtime = runtime
        self.settings = settings
        self.signing_key = signing_key

    def token(self, user_id: uuid.UUID, email: str, roles: list[str] | None = None) -> str:
        now = self.runtime.clock.now()
        return jwt.encode(
            {"iss": self.settings.jwt_issuer, "aud": self.settings.jwt_audience, "sub": str(user_id), "email": email,
             "roles": roles or [], "jti": uuid.uuid4().hex, "sid": str(uuid.uuid4()), "typ": "access",
             "pwd_expired": False, "iat": int(now.timestamp()), "exp": int((now + timedelta(minutes=5)).timestamp())},
            self.signing_key, algorithm="EdDSA", headers={"kid": KID},
        )

    def person(self, email: str | None = None, roles: list[str] | None = None) -> Person:
        user_id = uuid.uuid4()
        email = email or f"ta-{user_id.hex[:10]}@example.com"
        return Person(user_id, email, {"Authorization": f"Bearer {self.token(user_id, email, roles)}"})

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

    def staff(self, role: str) -> Person:
        return self.person(f"{role}-{uuid.uuid4().hex[:6]}@cbp.example", [role])


@pytest.fixture
def people(runtime, settings, signing_key) -> People:
    return People(runtime, settings, signing_key)


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
