"""Kill the Kafka broker between the commit and the publish; after a restart the event arrives exactly once (PL-02)."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import asyncpg
import pytest

pytestmark = pytest.mark.fault
REPO = Path(__file__).resolve().parents[2]


def kafka(verb: str) -> None:
    subprocess.run(["bash", str(REPO / "deploy/local/kafka.sh"), verb], check=True, timeout=120,
                   stdout=subprocess.DEVNULL)


def unpublished_email_changes(user_id: str) -> int:
    async def count() -> int:
        url = os.environ["IDENTITY_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetchval(
                "select count(*) from outbox where key = $1 and event_type = 'UserEmailChanged.v1'"
                " and published_at is null", user_id,
            )
        finally:
            await conn.close()

    return asyncio.run(count())


@pytest.mark.req("PL-02")
def test_an_event_committed_while_the_broker_is_down_arrives_once_after_it_returns(
    portal, registered_user, user_topic_listener, new_email, password
):
    headers = {"Authorization": f"Bearer {registered_user['tokens']['access_token']}"}
    kafka("kill")
    try:
        changed_to = new_email()
        # identity does not need Kafka to answer: the event waits in the outbox
        response = portal.post(
            "/api/identity/me/email", json={"current_password": password, "new_email": changed_to}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert unpublished_email_changes(registered_user["id"]) == 1
    finally:
        kafka("start")
    records = user_topic_listener.wait_for(
        lambda r: r["headers"]["ce_type"] == "UserEmailChanged.v1" and r["key"] == registered_user["id"],
        timeout=90, settle=3,
    )
    assert len(records) == 1, records
    assert records[0]["payload"]["new_email"] == changed_to
    assert unpublished_email_changes(registered_user["id"]) == 0
