"""A fresh, migrated database per service and per xdist worker, on the real PostgreSQL.

Tests inside a worker share it and keep apart by making their own data (new
emails, new ids), which also lets the outbox relay and consumers, which open
their own connections, see what a test committed.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from servicekit.migrations import upgrade_to_head
from servicekit.testing.pytest_plugin import require_env


def worker_suffix() -> str:
    """`<run tag>_<xdist worker>`: PORTAL_TEST_RUN_TAG keeps two pytest runs on one machine apart."""
    tag = os.environ.get("PORTAL_TEST_RUN_TAG", "")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{tag}_{worker}" if tag else worker


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def _recreate(admin_url: str, name: str, owner: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1", name
        )
        await conn.execute(f'drop database if exists "{name}"')
        await conn.execute(f'create database "{name}" owner "{owner}"')
        # As deploy/local/postgres.sh does for the service databases: only the owner gets in (PL-01).
        await conn.execute(f'revoke all on database "{name}" from public')
    finally:
        await conn.close()


def create_test_database(service_env_prefix: str, migrations_dir: Path) -> str:
    """Returns the SQLAlchemy URL of `<service db>_test_<worker>`, freshly migrated."""
    admin_url = require_env("PORTAL_PG_ADMIN_URL")
    service_url = require_env(f"{service_env_prefix}_DATABASE_URL")
    parts = urlsplit(service_url)
    owner = parts.username or "postgres"
    name = f"{parts.path.lstrip('/')}_test_{worker_suffix()}"
    asyncio.run(_recreate(admin_url, name, owner))
    url = _with_database(service_url, name)
    upgrade_to_head(migrations_dir, url)
    return url


async def scratch_database(prefix: str) -> str:
    """A fresh, empty database `<prefix>_<worker>` owned by the admin; its SQLAlchemy (asyncpg) URL."""
    admin_url = require_env("PORTAL_PG_ADMIN_URL")
    name = f"{prefix}_{worker_suffix()}"
    await _recreate(admin_url, name, urlsplit(admin_url).username or "postgres")
    return _with_database(admin_url, name).replace("postgresql://", "postgresql+asyncpg://", 1)
