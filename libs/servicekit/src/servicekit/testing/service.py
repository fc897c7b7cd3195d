"""The fixtures every service's API tests start from, defined once (they were copied into each conftest).

A service's conftest names its settings, bootstrap and base URL, and takes the fixtures by name:

    settings, session_clock, signer, runtime, app, client, fingerprint = service_fixtures(
        settings=lambda: SviSettings(database_url=create_test_database("SVI", MIGRATIONS), ...),
        build_runtime=build_runtime, create_app=create_app, base_url="http://svi")

- `settings`: the service's settings, on its own database per xdist worker (session);
- `session_clock`: a MovableClock the whole session shares, tokens included;
- `signer`: mints tokens the service's verifier trusts (servicekit.testing.tokens);
- `runtime`, `app`: the service as bootstrap builds it, the app through its lifespan (session);
- `client`: an httpx client calling the app in-process;
- `fingerprint`: `await fingerprint()`, what the database holds, to show a refusal changed nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from servicekit.auth import TokenVerifier
from servicekit.clock import MovableClock
from servicekit.testing.fingerprint import database_fingerprint
from servicekit.testing.tokens import TestSigner


def service_fixtures(*, settings: Callable[[], Any], build_runtime: Callable[..., Any],
                     create_app: Callable[..., Any], base_url: str) -> tuple[Any, ...]:
    @pytest.fixture(scope="session", name="settings")
    def settings_fixture() -> Any:
        return settings()

    @pytest.fixture(scope="session", name="session_clock")
    def session_clock_fixture() -> MovableClock:
        return MovableClock()

    @pytest.fixture(scope="session", name="signer")
    def signer_fixture(settings, session_clock) -> TestSigner:
        return TestSigner(issuer=settings.jwt_issuer, audience=settings.jwt_audience, clock=session_clock)

    @pytest.fixture(scope="session", name="runtime")
    def runtime_fixture(settings, signer, session_clock) -> Any:
        verifier = TokenVerifier(signer.jwks, issuer=settings.jwt_issuer, audience=settings.jwt_audience,
                                 clock=session_clock)
        return build_runtime(settings, clock=session_clock, token_verifier=verifier)

    @pytest.fixture(scope="session", name="app")
    async def app_fixture(settings, runtime) -> AsyncIterator[Any]:
        from asgi_lifespan import LifespanManager  # a test dependency, not the service's

        application = create_app(settings, runtime)
        async with LifespanManager(application):
            yield application

    @pytest.fixture(name="client")
    async def client_fixture(app) -> AsyncIterator[httpx.AsyncClient]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as c:
            yield c

    @pytest.fixture(name="fingerprint")
    def fingerprint_fixture(runtime) -> Callable[[], Any]:
        return lambda: database_fingerprint(runtime.database)

    return (settings_fixture, session_clock_fixture, signer_fixture, runtime_fixture, app_fixture, client_fixture,
            fingerprint_fixture)
