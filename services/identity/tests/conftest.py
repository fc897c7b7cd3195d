"""Identity's fixtures: a real PostgreSQL database per xdist worker, the app in-process."""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select

import identity
from identity import tables
from identity.app import build_runtime, create_app
from identity.settings import IdentitySettings
from identity.use_cases import IdentityContext
from servicekit.clock import MovableClock
from servicekit.testing.databases import create_test_database
from servicekit.testing.fingerprint import database_fingerprint

MIGRATIONS = Path(identity.__file__).parent / "migrations"
STRONG_PASSWORD = "Harbor#Crane42"
DOCUMENTATION_PREFIX = int(ipaddress.IPv6Address("2001:db8::"))


@pytest.fixture(scope="session")
def identity_settings() -> IdentitySettings:
    # No process-wide tracer from in-process apps: other suites in this worker
    # (the gateway's) install their own; the system tests trace the real processes.
    return IdentitySettings(
        database_url=create_test_database("IDENTITY", MIGRATIONS), traces_dir=None, otlp_endpoint=None
    )


@pytest.fixture(scope="session")
def session_clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def clock(session_clock: MovableClock):
    """The app's clock; whatever a test moves is put back afterwards."""
    yield session_clock
    session_clock.reset()


@pytest.fixture(scope="session")
def runtime(identity_settings: IdentitySettings, session_clock: MovableClock):
    return build_runtime(identity_settings, clock=session_clock)


@pytest.fixture(scope="session")
def ctx(runtime) -> IdentityContext:
    return runtime.context


@pytest.fixture(scope="session")
async def app(identity_settings: IdentitySettings, runtime) -> AsyncIterator:
    application = create_app(identity_settings, runtime)
    async with LifespanManager(application):
        yield application


@pytest.fixture
def client_address() -> str:
    """A fresh address per test, from the documentation prefix 2001:db8::/32 (RFC 3849).

    ID-12 counts every failed credential check per client address too (300 a
    minute block it). A whole suite sent from one address would add its
    deliberate failures up to a block that no single test caused; a test that
    proves the address limit sends from addresses of its own.
    """
    return str(ipaddress.IPv6Address(DOCUMENTATION_PREFIX + uuid.uuid4().int % 2**96))


@pytest.fixture
async def client(app, client_address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(client_address, 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://identity") as c:
        yield c


class IdentityApi:
    """Plain helpers over the HTTP client; a fixture because tests cannot import conftest."""

    password = STRONG_PASSWORD

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    @staticmethod
    def new_email() -> str:
        return f"user-{uuid.uuid4().hex[:12]}@example.com"

    @staticmethod
    def questions(a1: str = "Rex", a2: str = "Springfield", a3: str = "Smith") -> list[dict]:
        return [
            {"question_id": 1, "answer": a1},
            {"question_id": 2, "answer": a2},
            {"question_id": 3, "answer": a3},
        ]

    async def register(self, email: str | None = None, password: str = STRONG_PASSWORD) -> dict:
        email = email or self.new_email()
        response = await self.client.post(
            "/users", json={"email": email, "password": password, "security_questions": self.questions()}
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def sign_in(self, email: str, password: str = STRONG_PASSWORD) -> dict:
        response = await self.client.post("/sessions", json={"email": email, "password": password})
        assert response.status_code == 201, response.text
        return response.json()

    @staticmethod
    def bearer(tokens: dict) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens['access_token']}"}

    @staticmethod
    async def mailed_reset_token(ctx, email: str) -> str:
        """The token of the newest reset link mailed to `email` (read from the mail queue)."""
        async with ctx.database.transaction() as session:
            bodies = (
                await session.execute(
                    select(tables.mail_outbox.c.body).where(tables.mail_outbox.c.recipient == email)
                    .order_by(tables.mail_outbox.c.created_at.desc())
                )
            ).scalars().all()
        assert bodies, "no mail was queued"
        return re.search(r"reset-password\?token=([\w-]+)", bodies[0]).group(1)

    async def new_user(self) -> tuple[str, dict]:
        """Registers a fresh user and signs in: (email, tokens)."""
        email = self.new_email()
        await self.register(email)
        return email, await self.sign_in(email)


@pytest.fixture
def api(client: httpx.AsyncClient) -> IdentityApi:
    return IdentityApi(client)


@pytest.fixture
def fingerprint(runtime):
    """`await fingerprint()`: the whole database's rows, to compare before and after refused requests."""
    return lambda: database_fingerprint(runtime.database)
