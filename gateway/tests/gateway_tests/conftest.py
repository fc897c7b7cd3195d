"""Fixtures: real upstreams and real gateways on loopback, one clock that tests move."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from gateway.__main__ import uvicorn_options
from gateway.app import create_app
from gateway.settings import GatewaySettings
from gateway_tests.fakes import AUDIENCE, ISSUER, EchoService, FakeIdentity
from gateway_tests.servers import InProcessServer, closed_port
from servicekit.clock import MovableClock
from servicekit.testing.tokens import TestSigner


@pytest.fixture(scope="session")
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture(scope="session")
def signer(clock: MovableClock) -> TestSigner:
    """Identity's signing key: the fake identity publishes its JWKS, tests mint with it."""
    return TestSigner(issuer=ISSUER, audience=AUDIENCE, clock=clock)


@pytest.fixture(scope="session")
async def identity_service(signer: TestSigner) -> AsyncIterator[Any]:
    fake = FakeIdentity(signer)
    server = await InProcessServer(fake.app()).start()
    fake.url = server.url
    yield fake
    await server.stop()


@pytest.fixture(scope="session")
async def echo_service() -> AsyncIterator[Any]:
    echo = EchoService()
    server = await InProcessServer(echo.app()).start()
    echo.url = server.url
    yield echo
    await server.stop()


@pytest.fixture(scope="session")
def down_url() -> str:
    return f"http://127.0.0.1:{closed_port()}"


@pytest.fixture(scope="session", autouse=True)
def hermetic_gateway_environment():
    """The gateway suite sets every setting itself: GATEWAY_* variables from deploy/local/env.sh
    would otherwise be merged in (pydantic-settings deep-merges dict settings such as upstreams).
    Package-scoped: other suites in the same xdist worker (the PL-01 proof reads GATEWAY_DATABASE_URL)
    get the variables back as soon as they run."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("GATEWAY_")}
    yield
    os.environ.update(saved)


@pytest.fixture(scope="session")
def gateway_settings(
    identity_service: Any, echo_service: Any, down_url: str
) -> Callable[..., GatewaySettings]:
    def make(**overrides: Any) -> GatewaySettings:
        values: dict[str, Any] = {
            "upstreams": {
                "identity": identity_service.url,
                "echo": echo_service.url,
                "echo-two": echo_service.url,
                "down": down_url,
            },
            "jwks_url": identity_service.url + "/.well-known/jwks.json",
            "jwt_issuer": ISSUER,
            "jwt_audience": AUDIENCE,
            # High enough never to bite; test_edge.py proves the limit with low ones.
            "rate_limit_per_second": 1_000_000,
            "rate_limit_burst": 1_000_000,
            "cors_origins": "http://127.0.0.1:8090,http://localhost:8090",
            "cookie_secure": True,
            "web_upstream": None,
        }
        values.update(overrides)
        return GatewaySettings(**values)

    return make


@pytest.fixture(scope="session")
def start_gateway(gateway_settings: Callable[..., GatewaySettings], clock: MovableClock):
    """`async with start_gateway(settings, **create_app_kwargs) as client:` a gateway of its own."""

    @contextlib.asynccontextmanager
    async def start(
        settings: GatewaySettings | None = None, **app_kwargs: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        settings = settings or gateway_settings()
        app = create_app(settings, clock=clock, **app_kwargs)
        server = await InProcessServer(app, **uvicorn_options(settings)).start()
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
                yield client
        finally:
            await server.stop()

    return start


@pytest.fixture(scope="session")
async def gateway(start_gateway) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the shared gateway (upstreams: identity, echo, echo-two, down)."""
    async with start_gateway() as client:
        yield client


@pytest.fixture(scope="session")
def make_token(signer: TestSigner) -> Callable[..., str]:
    """`make_token(user_id=..., roles=[...])`: a valid access token."""
    return signer.token
