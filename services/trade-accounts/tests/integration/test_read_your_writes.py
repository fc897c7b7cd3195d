"""A caller's own write in identity is waited for before trade-accounts decides (servicekit.consistency)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from portal_events import Envelope
from portal_events.identity import UserProfileUpdated
from servicekit.bootstrap import consumer_group
from servicekit.consumer import Inbox
from trade_accounts import tables
from trade_accounts.consumers import IDENTITY_TOPICS, identity_handlers


async def deliver(runtime, event) -> None:
    """What trade-accounts' identity consumer does with one record: inbox, version, handler, one transaction."""
    envelope = Envelope(type=event.event_type, source="identity", subject=event.aggregate_id,
                        data=event.model_dump(mode="json"))
    inbox = Inbox(tables.inbox, tables.inbox_aggregate_version, consumer_group(runtime.settings, IDENTITY_TOPICS))
    async with runtime.database.transaction() as session:
        assert await inbox.accept(session, envelope)
        await identity_handlers(runtime.context)[envelope.type](session, envelope)


def profile_completed(person, version: int) -> UserProfileUpdated:
    return UserProfileUpdated(user_id=person.user_id, version=version, occurred_at=datetime.now(UTC),
                              salutation="Ms.", first_name="Ana", last_name="Lopez", title="Compliance Officer",
                              phone="+1 202 555 0100")


def read_after(person, version: int) -> dict[str, str]:
    return {**person.headers, "Portal-Read-After": f"identity.user.v1/{person.user_id}={version}"}


@pytest.mark.req("ID-02")
async def test_creating_an_account_waits_for_the_profile_the_caller_just_completed(client, people, runtime, bodies):
    person = await people.registered(profile=False)
    refused = await client.post("/trade-accounts", json=bodies.company, headers=person.headers)
    assert refused.status_code == 403  # without the hint, trade-accounts knows only what has reached it

    async def profile_arrives_later() -> None:
        await asyncio.sleep(0.2)
        await deliver(runtime, profile_completed(person, version=2))

    arrival = asyncio.create_task(profile_arrives_later())
    created = await client.post("/trade-accounts", json=bodies.company, headers=read_after(person, 2))
    await arrival
    assert created.status_code == 201, created.text


@pytest.mark.req("ID-02")
async def test_a_read_model_still_behind_after_the_wait_answers_409_with_a_retry_hint_and_changes_nothing(
    client, people, runtime, bodies
):
    person = await people.registered(profile=False)
    response = await client.post("/trade-accounts", json=bodies.company, headers=read_after(person, 2))
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    navigation = await client.get("/navigation", headers=person.headers)
    assert navigation.json() == []


async def test_hints_for_topics_this_service_does_not_read_and_junk_hints_are_ignored(client, account):
    created, admin = account
    headers = {**admin.headers,
               "Portal-Read-After": f"documents.document.v1/{created['id']}=99, nonsense, identity.user.v1/x=y"}
    response = await client.get(f"/trade-accounts/{created['id']}", headers=headers)
    assert response.status_code == 200


async def test_a_write_names_what_it_changed_for_the_caller_to_carry_on(client, account, bodies):
    created, admin = account
    response = await client.post(f"/trade-accounts/{created['id']}/addresses", json=bodies.address,
                                 headers=admin.headers)
    assert response.status_code == 201
    assert response.headers["portal-written"] == f"trade-accounts.trade-account.v1/{created['id']}={created['version'] + 1}"
    assert "portal-written" not in (await client.get(f"/trade-accounts/{created['id']}", headers=admin.headers)).headers


async def test_health_never_waits_for_a_callers_writes(client, people):
    person = await people.registered(profile=False)
    response = await client.get("/health/live", headers=read_after(person, 99))
    assert response.status_code == 200
