"""trade-accounts' worker consumes ctpat's and identity's events from the real Kafka, once each (PL-02)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaProducer

from portal_events import Envelope
from portal_events.ctpat import ContactEntry, ContactsChanged, SecurityModelCreated, StatusChanged
from servicekit.bootstrap import build_consumer
from trade_accounts import tables
from trade_accounts.consumers import CTPAT_TOPICS, ctpat_handlers
from trade_accounts.repository import SecurityModelRepository, TradeAccountRepository


def envelope_of(event) -> Envelope:
    return Envelope(type=event.event_type, source="ctpat", subject=event.aggregate_id, data=event.model_dump(mode="json"))


def counting(handlers):
    """The handlers, each counting how often it applied each event (by ce_id)."""
    applied: Counter[str] = Counter()

    def counted(handler):
        async def apply(session, envelope):
            await handler(session, envelope)
            applied[envelope.id] += 1
        return apply

    return {event_type: counted(handler) for event_type, handler in handlers.items()}, applied


async def publish(settings, events, *, then=()) -> list[Envelope]:
    envelopes = [envelope_of(e) for e in events]
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        # every record twice, as a redelivery would; `then` once, after them (same key: same partition, in order)
        for envelope in envelopes + envelopes + list(then):
            await producer.send_and_wait(CTPAT_TOPICS[0], key=envelope.subject.encode(),
                                         value=envelope.kafka_value(), headers=envelope.kafka_headers())
    finally:
        await producer.stop()
    return envelopes


@pytest.mark.req("PL-02")
@pytest.mark.req("TA-16")
async def test_security_model_events_build_the_read_model_once(client, account, bodies, runtime, settings):
    body, admin = account
    colleague_email = f"officer-{uuid.uuid4().hex[:6]}@example.com"
    member = (await client.post(f"/trade-accounts/{body['id']}/users", json=bodies.new_user(colleague_email),
                                headers=admin.headers)).json()
    model_id, account_id, now = uuid.uuid4(), uuid.UUID(body["id"]), datetime.now(UTC)
    contacts = [ContactEntry(member_id=uuid.UUID(member["id"]), contact_type="officer", primary_poc=True)]
    # behind the duplicates: once it is applied, they have been consumed
    last = envelope_of(ContactsChanged(security_model_id=model_id, version=3, occurred_at=now,
                                       trade_account_id=account_id, contacts=contacts))
    envelopes = await publish(settings, [
        SecurityModelCreated(security_model_id=model_id, version=1, occurred_at=now, trade_account_id=account_id,
                             business_types=["importer"]),
        ContactsChanged(security_model_id=model_id, version=2, occurred_at=now, trade_account_id=account_id,
                        contacts=contacts),
    ], then=[last])
    handlers, applied = counting(ctpat_handlers())
    consumer = build_consumer(
        settings, runtime.database, (tables.inbox, tables.inbox_aggregate_version),
        name=f"trade-accounts.test-{uuid.uuid4().hex[:6]}", topics=CTPAT_TOPICS, handlers=handlers,
    )
    task = asyncio.create_task(consumer.run())
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            async with runtime.database.transaction() as session:
                account = await TradeAccountRepository(session).get(account_id)
            if account.used_member_ids and applied[last.id]:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # anything applied late would still be counted
    finally:
        consumer.stop()
        await task
    async with runtime.database.transaction() as session:
        models = await SecurityModelRepository(session).of_accounts([account_id])
        account = await TradeAccountRepository(session).get(account_id)
    # Counted, not inferred from the end state: each event applied exactly once, its redelivery not at all.
    # (the topic also holds earlier runs' records, which this new group reads too: only ours are counted)
    ours = [e.id for e in [*envelopes, last]]
    assert {i: applied[i] for i in ours} == dict.fromkeys(ours, 1)
    assert models[account_id] == {model_id}
    assert account.used_member_ids == {uuid.UUID(member["id"])}
    assert consumer.parked_count == 0
    removal = await client.delete(f"/trade-accounts/{body['id']}/users/{member['id']}", headers=admin.headers)
    assert removal.status_code == 409


@pytest.mark.req("TA-11")
async def test_a_withdrawn_security_model_no_longer_makes_a_link_need_management(runtime):
    handlers = ctpat_handlers()
    model_id, account_id, by = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for version, (status, previous) in enumerate([("applicant", None), ("withdrawn", "applicant")], start=1):
        event = StatusChanged(security_model_id=model_id, trade_account_id=account_id, status=status,
                              previous_status=previous, certified=False, changed_by=by, reason="r",
                              business_types=["importer"], occurred_at=datetime.now(UTC), version=version)
        async with runtime.database.transaction() as session:
            await handlers[event.event_type](session, envelope_of(event))
            held = await SecurityModelRepository(session).of_accounts([account_id])
        assert held[account_id] == ({model_id} if status == "applicant" else set()), status
