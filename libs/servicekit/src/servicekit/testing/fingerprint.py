"""A fingerprint of a service's whole database, to prove that a refused request changed nothing.

    before = await database_fingerprint(runtime.database)
    ...  # requests that must be refused
    assert not changed_tables(before, await database_fingerprint(runtime.database))

Every table of the service's schema (outbox, inbox and mail queue included, so
an event or a mail that slipped out is caught too) is reduced to its row count
and an md5 of its rows in a stable order. Tests in one xdist worker share the
database but run one at a time, so nothing else writes between the two reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import text

from servicekit.db import Database

Fingerprint = Mapping[str, tuple[int, str]]
_SKIPPED = frozenset({"alembic_version"})


async def database_fingerprint(database: Database, *, ignore: Iterable[str] = ()) -> Fingerprint:
    """`{table: (rows, md5 of the rows)}` for every table in the current schema but `ignore`."""
    skipped = _SKIPPED | set(ignore)
    async with database.engine.connect() as conn:
        tables = (await conn.execute(text(
            "select table_name from information_schema.tables "
            "where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name"
        ))).scalars().all()
        result = {}
        for table in tables:
            if table in skipped:
                continue
            count, digest = (await conn.execute(text(
                f'select count(*), md5(coalesce(string_agg(t::text, chr(10) order by t::text), \'\')) from "{table}" t'
            ))).one()
            result[table] = (count, digest)
    return result


def changed_tables(before: Fingerprint, after: Fingerprint) -> dict[str, str]:
    """Each table whose rows differ, with its row counts before and after."""
    return {
        table: f"{before.get(table, (0, ''))[0]} -> {after.get(table, (0, ''))[0]} rows"
        for table in sorted(set(before) | set(after))
        if before.get(table) != after.get(table)
    }

