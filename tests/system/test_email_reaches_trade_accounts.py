"""ID-09 across services: an email change reaches every Trade Account listing the user, once, even if replayed."""

from __future__ import annotations

import asyncio
import os
import time

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from servicekit import topology

PROFILE = {"salutation": "Ms.", "first_name": "Ana", "last_name": "Lopez", "title": "Compliance Officer",
           "phone": "+1 202 555 0100"}


def poll(fetch, until, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {value}")
        time.sleep(0.1)


def replay(records: list[dict]) -> list[tuple[int, int]]:
    """Publishes the very same records again (same ce_id), as a redelivery would; their (partition, offset)."""

    async def send() -> list[tuple[int, int]]:
        producer = AIOKafkaProducer(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"])
        await producer.start()
        try:
            positions = []
            for r in records:
                headers = [(k, v.encode()) for k, v in r["headers"].items()]
                sent = await producer.send_and_wait("identity.user.v1", key=r["key"].encode(),
                                                    value=__import__("json").dumps(r["payload"]).encode(),
                                                    headers=headers)
                positions.append((sent.partition, sent.offset))
            return positions
        finally:
            await producer.stop()

    return asyncio.run(send())


def consumed_by_trade_accounts(positions: list[tuple[int, int]]) -> None:
    """Waits until trade-accounts' worker has settled these records (its group committed past them)."""

    [group] = [g.name for g in topology.load().services["trade-accounts"].consumer_groups
               if "identity.user.v1" in g.topics]

    async def committed() -> dict:
        admin = AIOKafkaAdminClient(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"])
        await admin.start()
        try:
            return await admin.list_consumer_group_offsets(group)
        finally:
            await admin.close()

    def past_them(offsets: dict) -> bool:
        return all(TopicPartition("identity.user.v1", p) in offsets
                   and offsets[TopicPartition("identity.user.v1", p)].offset > o for p, o in positions)

    poll(lambda: asyncio.run(committed()), past_them)


def known_user_writes(user_id: str) -> str:
    """The transaction that last wrote trade-accounts' row for this user (its xmin).

    Every application of UserEmailChanged writes that row, even when the address
    is the one it already holds; so an unchanged xmin means no handler ran again,
    which the end state alone (same address, same versions) could not tell.
    """

    async def read() -> str:
        dsn = os.environ["TRADE_ACCOUNTS_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
        connection = await asyncpg.connect(dsn)
        try:
            return await connection.fetchval("select xmin::text from known_users where user_id = $1::uuid", user_id)
        finally:
            await connection.close()

    return asyncio.run(read())


@pytest.mark.req("ID-09")
@pytest.mark.req("PL-02")
def test_email_change_reaches_every_trade_account_once(portal: httpx.Client, registered_user, user_topic_listener,
                                                       new_email, password):
    auth = {"Authorization": f"Bearer {registered_user['tokens']['access_token']}"}
    assert portal.put("/api/identity/me/profile", json=PROFILE, headers=auth).status_code == 200
    company = {"company_information": {"company_name": "Acme Imports LLC"}}
    # trade-accounts learns of the completed profile from identity's event: eventually
    first = poll(lambda: portal.post("/api/trade-accounts/trade-accounts", json=company, headers=auth),
                 lambda r: r.status_code == 201)
    second = portal.post("/api/trade-accounts/trade-accounts", json=company, headers=auth)
    assert second.status_code == 201
    accounts = [first.json()["id"], second.json()["id"]]

    def emails_and_versions():
        views = [portal.get(f"/api/trade-accounts/trade-accounts/{a}", headers=auth).json() for a in accounts]
        return [([u["email"] for u in v["users"]], v["version"]) for v in views]

    changed_to = new_email()
    response = portal.post("/api/identity/me/email", json={"current_password": password, "new_email": changed_to},
                           headers=auth)
    assert response.status_code == 200
    after = poll(emails_and_versions, lambda vs: all(e == [changed_to] for e, _ in vs))
    versions = [v for _, v in after]

    # The same UserEmailChanged again, twice: applied once, so nothing moves.
    [record] = user_topic_listener.wait_for(
        lambda r: r["headers"]["ce_type"] == "UserEmailChanged.v1" and r["key"] == registered_user["id"], settle=0.5)
    written_by = known_user_writes(registered_user["id"])
    assert written_by is not None
    consumed_by_trade_accounts(replay([record, record]))
    # Counted, not inferred from the end state: no handler wrote anything for the two redeliveries.
    assert known_user_writes(registered_user["id"]) == written_by
    assert [v for _, v in emails_and_versions()] == versions
    # A later real change on the same key (same partition, so after the replays) shows they were consumed.
    final_email = new_email()
    assert portal.post("/api/identity/me/email", json={"current_password": password, "new_email": final_email},
                       headers=auth).status_code == 200
    final = poll(emails_and_versions, lambda vs: all(e == [final_email] for e, _ in vs))
    assert [v for _, v in final] == [v + 1 for v in versions]  # one change each, not three
