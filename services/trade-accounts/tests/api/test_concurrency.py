"""One concurrency rule for every aggregate: a lost race answers 409 and changes nothing (servicekit.store)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from trade_accounts import tables

RACERS = 6
REASON = "Acme Holdings acquired Beta Freight in 2026; one organisation now."


async def events_of(runtime, key: str, event_type: str) -> int:
    async with runtime.database.transaction() as session:
        return await session.scalar(
            select(func.count()).select_from(tables.outbox)
            .where(tables.outbox.c.key == key, tables.outbox.c.event_type == event_type)
        )


@pytest.mark.req("PL-02")
async def test_concurrent_decisions_on_one_request_take_effect_once(client, people, bodies, runtime):
    requester, other = await people.registered(), await people.registered()
    names = ("Acme Holdings", "Beta Freight")
    acme, beta = [
        (await client.post("/trade-accounts", headers=p.headers, json={"company_information": {
            **bodies.company["company_information"], "company_name": n}})).json()
        for p, n in ((requester, names[0]), (other, names[1]))
    ]
    # The requester must see Beta to ask for it: a user there, as in test_operations.
    joined = await client.post(f"/trade-accounts/{beta['id']}/users", json=bodies.new_user(requester.email),
                               headers=other.headers)
    assert joined.status_code == 201, joined.text
    request = (await client.post("/trade-account-requests/link", headers=requester.headers, json={
        "requesting_account_id": acme["id"], "parent_id": acme["id"], "subsidiary_id": beta["id"],
        "reason": REASON})).json()
    # The approver's double click, and more: every one of them loaded the same pending request.
    decisions = await asyncio.gather(*(
        client.post(f"/trade-account-requests/{request['id']}/decision", json={"decision": "approved"},
                    headers=other.headers)
        for _ in range(RACERS)
    ))
    statuses = sorted(d.status_code for d in decisions)
    assert statuses.count(200) == 1, [d.text for d in decisions]
    assert all(s == 409 for s in statuses if s != 200), statuses  # decided meanwhile, or already decided
    assert await events_of(runtime, beta["id"], "TradeAccountsLinked.v1") == 1
    assert await events_of(runtime, request["id"], "TradeAccountRequestDecided.v1") == 1


async def test_concurrent_changes_to_one_account_either_land_or_are_refused_whole(client, account, bodies, runtime):
    created, admin = account
    responses = await asyncio.gather(*(
        client.post(f"/trade-accounts/{created['id']}/addresses", headers=admin.headers,
                    json={**bodies.address, "street_line_1": f"{i} Harbor Way"})
        for i in range(RACERS)
    ))
    landed = [r for r in responses if r.status_code == 201]
    assert landed and all(r.status_code in (201, 409) for r in responses), [r.text for r in responses]
    view = (await client.get(f"/trade-accounts/{created['id']}", headers=admin.headers)).json()
    assert sorted(a["street_line_1"] for a in view["addresses"]) == sorted(r.json()["street_line_1"] for r in landed)
    assert view["version"] == created["version"] + len(landed)
    assert await events_of(runtime, created["id"], "TradeAccountAddressAdded.v1") == len(landed)
