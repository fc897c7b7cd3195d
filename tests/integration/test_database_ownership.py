"""PL-01 on the real PostgreSQL: each service's role reaches its own database and no other.

The roles, passwords and databases are the ones deploy/local/env.sh names
(`<SERVICE>_DATABASE_URL` for each of `PORTAL_SERVICE_DBS`) and
deploy/local/postgres.sh provisions. "Another service's database" is every
database owned by another service's role: the service databases and the
per-worker test copies servicekit.testing.databases makes (one is made here,
so the proof does not depend on which suites ran before).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import asyncpg
import pytest

import identity
from servicekit.testing.databases import create_test_database
from servicekit.testing.pytest_plugin import require_env


@dataclass(frozen=True)
class ServiceRole:
    service: str
    role: str
    password: str
    database: str


def service_roles() -> list[ServiceRole]:
    roles = []
    for service in require_env("PORTAL_SERVICE_DBS").split():
        # The gateway's suite hides GATEWAY_* for its whole xdist worker; env.sh's convention
        # (role = database = password = the service's name) stands in for what it hid.
        url = urlsplit(os.environ.get(f"{service.upper()}_DATABASE_URL") or f"postgresql://{service}:{service}@x/{service}")
        roles.append(ServiceRole(service, unquote(url.username), unquote(url.password), url.path.lstrip("/")))
    return roles


def pg_address() -> tuple[str, int]:
    return require_env("PORTAL_PG_HOST"), int(require_env("PORTAL_PG_PORT"))


async def connect_as(role: ServiceRole, database: str) -> asyncpg.Connection:
    host, port = pg_address()
    return await asyncpg.connect(host=host, port=port, user=role.role, password=role.password, database=database,
                                 timeout=10)


@pytest.fixture(scope="module")
def fresh_test_database() -> Iterator[str]:
    """A per-worker test database made exactly as the services' suites make theirs (owner: the identity role)."""
    tag = f"pl01{uuid.uuid4().hex[:6]}"
    previous = os.environ.get("PORTAL_TEST_RUN_TAG")
    os.environ["PORTAL_TEST_RUN_TAG"] = tag  # its own name, never a database another suite is using
    try:
        url = create_test_database("IDENTITY", Path(identity.__file__).parent / "migrations")
    finally:
        if previous is None:
            os.environ.pop("PORTAL_TEST_RUN_TAG")
        else:
            os.environ["PORTAL_TEST_RUN_TAG"] = previous
    name = urlsplit(url).path.lstrip("/")
    yield name

    async def drop() -> None:
        admin = await asyncpg.connect(require_env("PORTAL_PG_ADMIN_URL"))
        try:
            await admin.execute(f'drop database if exists "{name}" with (force)')
        finally:
            await admin.close()

    asyncio.run(drop())


async def databases_owned_by(admin: asyncpg.Connection, roles: list[ServiceRole]) -> dict[str, str]:
    """database -> owning role, for every database a service role owns."""
    rows = await admin.fetch(
        "select datname, pg_get_userbyid(datdba) as owner from pg_database "
        "where not datistemplate and pg_get_userbyid(datdba) = any($1::text[])",
        [r.role for r in roles],
    )
    return {row["datname"]: row["owner"] for row in rows}


async def readable_tables(database: str, roles: list[str]) -> dict[str, list[str]]:
    """role -> the tables, views and sequences of `database` it could read, asked as the admin."""
    admin_url = urlsplit(require_env("PORTAL_PG_ADMIN_URL"))._replace(path=f"/{database}").geturl()
    admin = await asyncpg.connect(admin_url)
    try:
        return {role: [row["name"] for row in await admin.fetch(
            "select n.nspname || '.' || c.relname as name from pg_class c "
            "join pg_namespace n on n.oid = c.relnamespace "
            "where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') "
            "and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%' "
            "and has_table_privilege($1, c.oid, 'SELECT')", role)] for role in roles}
    finally:
        await admin.close()


async def reach(database: str, others: list[ServiceRole]) -> dict[str, list[str]]:
    """What each of `others` can do in `database`: connect (tried, and by privilege) and read (by privilege)."""
    found: dict[str, list[str]] = {"refused": [], "let_in": [], "could_read": []}
    readable = await readable_tables(database, [r.role for r in others])
    admin = await asyncpg.connect(require_env("PORTAL_PG_ADMIN_URL"))
    try:
        for role in others:
            try:
                connection = await connect_as(role, database)
            except asyncpg.InsufficientPrivilegeError as refusal:
                assert "permission denied for database" in str(refusal)
                found["refused"].append(f"{role.role}->{database}")
            else:
                await connection.close()
                found["let_in"].append(f"{role.role}->{database}")
            if await admin.fetchval("select has_database_privilege($1, $2, 'CONNECT')", role.role, database):
                found["let_in"].append(f"{role.role}->{database} (CONNECT privilege)")
            # and nothing in it would be readable by this role, should CONNECT ever be granted
            found["could_read"] += [f"{role.role}->{database}.{table}" for table in readable[role.role]]
    finally:
        await admin.close()
    return found


@pytest.mark.req("PL-01")
async def test_each_service_role_reaches_only_its_own_databases(fresh_test_database):
    roles = service_roles()
    assert {r.service for r in roles} >= {"identity", "trade_accounts", "gateway", "ctpat", "svi", "documents",
                                           "messaging"}
    admin = await asyncpg.connect(require_env("PORTAL_PG_ADMIN_URL"))
    try:
        owners = await databases_owned_by(admin, roles)
    finally:
        await admin.close()
    assert owners.get(fresh_test_database) == "identity"
    assert {r.database for r in roles} <= set(owners), "a service database is missing or owned by someone else"

    # The credentials are right: each role opens its own database and reads from it.
    for role in roles:
        own = await connect_as(role, role.database)
        try:
            assert await own.fetchval("select current_user") == role.role
            await own.fetchval("select count(*) from pg_class")
        finally:
            await own.close()

    refused: list[str] = []
    let_in: list[str] = []  # role -> database pairs that connected, or could by privilege
    could_read: list[str] = []
    service_databases = {r.database for r in roles}
    for database, owner in sorted(owners.items()):
        others = [r for r in roles if r.role != owner]
        try:
            found = await reach(database, others)
        except asyncpg.InvalidCatalogNameError:
            # another xdist worker dropped its test copy meanwhile (to make it again, as databases.py does)
            if database in service_databases:
                raise
            continue
        refused += found["refused"]
        let_in += found["let_in"]
        could_read += found["could_read"]
    assert let_in == [], f"service roles reach other services' databases: {let_in}"
    assert could_read == [], f"service roles could read other services' tables: {could_read}"
    assert len(refused) >= len(roles) * (len(roles) - 1)  # every service database was tried by every other role
