"""Browser sessions in PostgreSQL: several gateway processes share them and refresh each one once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

import gateway
from gateway.browser_session import BrowserSession
from gateway.session_store_postgres import PostgresSessionStore
from gateway_tests.integration.test_browser_sso import sign_in
from servicekit.migrations import upgrade_to_head
from servicekit.testing.databases import worker_suffix
from servicekit.testing.pytest_plugin import require_env


@pytest.fixture(scope="module")
def sessions_database_url() -> str:
    admin_url = require_env("PORTAL_PG_ADMIN_URL")
    name = f"gateway_test_{worker_suffix()}"

    async def recreate() -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f'drop database if exists "{name}" with (force)')
            await conn.execute(f'create database "{name}"')
            await conn.execute(f'revoke all on database "{name}" from public')  # no service's role gets in (PL-01)
        finally:
            await conn.close()

    asyncio.run(recreate())
    url = urlunsplit(urlsplit(admin_url)._replace(scheme="postgresql+asyncpg", path=f"/{name}"))
    upgrade_to_head(Path(gateway.__file__).parent / "migrations", url)
    return url


def a_session(clock, **overrides) -> BrowserSession:
    values = dict(access_token="a", refresh_token="r", access_expires_at=clock.now().timestamp() + 300,
                  csrf_token="c", user_id=str(uuid.uuid4()), email="x@example.com", roles=("scss",),
                  password_expired=False, signed_in_at=clock.now().timestamp())
    values.update(overrides)
    return BrowserSession(**values)


@pytest.mark.req("PL-06")
async def test_a_session_written_by_one_gateway_is_read_by_another_until_it_expires(sessions_database_url, clock):
    first, second = PostgresSessionStore(sessions_database_url, clock), PostgresSessionStore(sessions_database_url, clock)
    try:
        key = uuid.uuid4().hex * 2
        session = a_session(clock)
        await first.put(key, session, ttl_seconds=60)
        assert await second.get(key) == session
        clock.advance(timedelta(seconds=61))
        assert await second.get(key) is None
        clock.reset()
        await second.delete(key)
        assert await first.get(key) is None
    finally:
        await first.aclose()
        await second.aclose()


@pytest.mark.req("PL-06")
async def test_only_one_gateway_at_a_time_holds_a_session_for_refresh(sessions_database_url, clock):
    stores = [PostgresSessionStore(sessions_database_url, clock) for _ in range(3)]
    key = uuid.uuid4().hex * 2
    inside, overlaps = 0, 0

    async def refresh(store: PostgresSessionStore) -> None:
        nonlocal inside, overlaps
        async with store.exclusive(key):
            inside += 1
            overlaps += inside > 1
            await asyncio.sleep(0.05)
            inside -= 1

    try:
        await asyncio.gather(*(refresh(s) for s in stores for _ in range(3)))
    finally:
        for store in stores:
            await store.aclose()
    assert overlaps == 0


@pytest.mark.req("ID-10")
async def test_two_gateways_sharing_sessions_refresh_a_token_once(
    sessions_database_url, start_gateway, gateway_settings, identity_service, echo_service, clock
):
    settings = gateway_settings(database_url=sessions_database_url)
    async with start_gateway(settings) as one, start_gateway(settings) as other:
        browser, _ = await sign_in(one, identity_service.email)
        assert (await other.get("/auth/session", headers=browser.headers())).status_code == 200
        clock.advance(timedelta(seconds=identity_service.access_lifetime - 15))
        refreshes = identity_service.calls["refresh"]
        identity_service.refresh_delay = 0.05
        try:
            responses = await asyncio.gather(*(
                gateway.get("/api/echo/echo/shared", headers=browser.headers())
                for gateway in (one, other, one, other, one, other)
            ))
        finally:
            identity_service.refresh_delay = 0.0
            clock.reset()
        assert [r.status_code for r in responses] == [200] * 6
        assert identity_service.calls["refresh"] == refreshes + 1


async def _write_row_behind_the_stores_back(url: str, key: str, session: BrowserSession) -> None:
    """The row changed with no notice (as if the notice were lost)."""
    import dataclasses
    import json

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("update browser_sessions set session = $2 where key = $1", key,
                           json.dumps(dataclasses.asdict(session)))
    finally:
        await conn.close()


async def test_a_page_reads_its_session_once_and_no_copy_outlives_two_seconds(sessions_database_url, clock):
    store = PostgresSessionStore(sessions_database_url, clock)
    try:
        key = uuid.uuid4().hex * 2
        session = a_session(clock)
        await store.put(key, session, ttl_seconds=60)
        assert await store.get(key) == session
        await _write_row_behind_the_stores_back(sessions_database_url, key, a_session(clock, access_token="b"))
        assert (await store.get(key)).access_token == "a"  # the process's copy, for the next calls of a page
        clock.advance(timedelta(seconds=2.1))
        assert (await store.get(key)).access_token == "b"
    finally:
        await store.aclose()


async def test_taking_a_session_to_refresh_it_reads_the_row_not_the_copy(sessions_database_url, clock):
    store = PostgresSessionStore(sessions_database_url, clock)
    try:
        key = uuid.uuid4().hex * 2
        await store.put(key, a_session(clock), ttl_seconds=60)
        await store.get(key)
        await _write_row_behind_the_stores_back(sessions_database_url, key, a_session(clock, refresh_token="r2"))
        async with store.exclusive(key):
            # Refresh tokens work once: the one spent must be the row's, never a stale copy's.
            assert (await store.get(key)).refresh_token == "r2"
    finally:
        await store.aclose()


@pytest.mark.req("PL-06")
async def test_signing_out_on_one_gateway_is_noticed_at_once_by_another_holding_a_copy(
    sessions_database_url, clock
):
    first, second = PostgresSessionStore(sessions_database_url, clock), PostgresSessionStore(sessions_database_url, clock)
    try:
        key = uuid.uuid4().hex * 2
        await first.put(key, a_session(clock), ttl_seconds=60)
        assert await second.get(key) is not None  # second keeps a copy now
        await first.delete(key)
        # The clock stands still, so the copy's two seconds never pass: only the notice can end it.
        for _ in range(100):
            if await second.get(key) is None:
                break
            await asyncio.sleep(0.02)
        assert await second.get(key) is None
    finally:
        await first.aclose()
        await second.aclose()
