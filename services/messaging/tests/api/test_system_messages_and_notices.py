"""MSG-05: what the portal itself tells an account arrives as threads; every new message sends a short e-mailed
notice (no message text, a link) to the others taking part, unless they said no."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from messaging import tables
from messaging.consumers import request_handlers
from sqlalchemy import select

from portal_events import Envelope
from portal_events.ctpat import StatusChanged
from portal_events.trade_accounts import TradeAccountRequestDecided


@pytest.fixture
def mail(runtime):
    """`new = await mail.since(seen)`: the notices queued since `seen = await mail.ids()`."""
    class Mail:
        async def ids(self) -> set:
            async with runtime.database.transaction() as session:
                return set((await session.scalars(select(tables.mail_outbox.c.id))).all())

        async def since(self, seen: set) -> list[tuple[str, str, str]]:
            async with runtime.database.transaction() as session:
                t = tables.mail_outbox
                rows = await session.execute(select(t.c.id, t.c.recipient, t.c.subject, t.c.body))
                return [(r.recipient, r.subject, r.body) for r in rows if r.id not in seen]
    return Mail()


async def _threads(client, who, company) -> list[dict]:
    return (await client.get(f"/security-models/{company.model_id}/threads", headers=who.headers)).json()["items"]


@pytest.mark.req("MSG-05")
async def test_a_status_change_arrives_as_a_system_thread_once(client, scene):
    company = await scene.company()
    for _ in range(2):  # the same event twice: still one thread
        async with scene.runtime.database.transaction() as session:
            event = StatusChanged(security_model_id=company.model_id, trade_account_id=company.trade_account_id,
                                  occurred_at=datetime.now(UTC), version=company.model_version + 1,
                                  status="certified_validated", previous_status="certified", certified=True,
                                  changed_by=uuid.uuid4(), reason="Validation exceeded the criteria.",
                                  business_types=["importer"], anniversary_date=date(2027, 5, 1))
            await scene.ctpat[event.event_type](session, Envelope(type=event.event_type, source="test",
                                                                  subject=event.aggregate_id,
                                                                  data=event.model_dump(mode="json")))
    [thread] = await _threads(client, company.officer, company)
    assert (thread["kind"], thread["subject"]) == ("system", "C-TPAT status changed to Certified Validated (Tier 2)")
    shown = (await client.get(f"/threads/{thread['id']}", headers=company.officer.headers)).json()
    assert "Validation exceeded the criteria." in shown["messages"][0]["body"]
    assert "May 1, 2027" in shown["messages"][0]["body"]


@pytest.mark.req("MSG-05")
async def test_a_decision_on_a_trade_account_request_reaches_the_accounts_models(client, scene):
    company, other = await scene.company(), await scene.company()
    event = TradeAccountRequestDecided(
        request_id=uuid.uuid4(), occurred_at=datetime.now(UTC), version=2, kind="link", status="completed",
        trade_account_ids=[company.trade_account_id, other.trade_account_id], decided_by=uuid.uuid4(),
        approval="management", decision="approved", reason="Same ownership.")
    handlers = request_handlers(scene.runtime.context)
    for _ in range(2):
        async with scene.runtime.database.transaction() as session:
            await handlers[event.event_type](session, Envelope(type=event.event_type, source="test",
                                                               subject=event.aggregate_id,
                                                               data=event.model_dump(mode="json")))
    for c in (company, other):
        assert [t["subject"] for t in await _threads(client, c.officer, c)] == [
            "Trade Account link request approved by Management"]


async def test_each_new_message_sends_a_short_notice_to_the_others_unless_they_said_no(client, scene, mail, events):
    company = await scene.company()
    contact = await scene.add_contact(company)
    before = await mail.ids()
    created = await client.post(f"/security-models/{company.model_id}/threads", headers=company.officer.headers,
                                json={"subject": "Seal audit", "body": "Confidential: the seal numbers are 1234."})
    thread = created.json()
    sent = (await mail.since(before))
    assert sorted(r for r, _, _ in sent) == sorted([contact.email, company.scss.email])
    for _, subject, body in sent:
        assert subject == "C-TPAT Portal: Seal audit"
        assert f"/messages/{thread['id']}" in body and "1234" not in body  # a link, never the message
    # The contact says no: the SCSS's reply notifies the Officer only.
    choice = await client.put("/me/notification-settings", headers=contact.headers, json={"email_notices": False})
    assert choice.json() == {"email_notices": False}
    assert (await client.get("/me/notification-settings", headers=contact.headers)).json() == {"email_notices": False}
    assert (await client.get("/me/notification-settings", headers=company.officer.headers)).json() == {
        "email_notices": True}
    before = await mail.ids()
    await client.post(f"/threads/{thread['id']}/messages", headers=company.scss.headers, json={"body": "Noted."})
    assert [r for r, _, _ in (await mail.since(before))] == [company.officer.email]
    # A system message notifies everyone who wants notices, once however often its event comes.
    before = await mail.ids()
    await events.review_window_opened(company, 2028, date(2028, 1, 31), again=2)
    assert sorted(r for r, _, _ in (await mail.since(before))) == sorted([company.officer.email, company.scss.email])


async def test_a_choice_is_a_json_boolean_and_nothing_else(client, scene, fingerprint):
    company = await scene.company()
    before = await fingerprint()
    for wrong in ("false", 0, None, "no"):
        response = await client.put("/me/notification-settings", headers=company.officer.headers,
                                    json={"email_notices": wrong})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "email_notices", wrong
    assert await fingerprint() == before


@pytest.mark.req("MSG-05")
async def test_managements_decision_on_a_split_reaches_both_models(client, scene):
    from messaging.consumers import operation_handlers

    from portal_events.ctpat import SecurityModelOperationDecided

    company = await scene.company()
    new_model = uuid.uuid4()
    event = SecurityModelOperationDecided(
        operation_id=uuid.uuid4(), occurred_at=datetime.now(UTC), kind="split", version=2,
        security_model_id=company.model_id, trade_account_id=company.trade_account_id,
        resulting_model_id=new_model, decision="approved", decided_by=uuid.uuid4())
    handlers = operation_handlers(scene.runtime.context)
    for _ in range(2):
        async with scene.runtime.database.transaction() as session:
            await handlers[event.event_type](session, Envelope(type=event.event_type, source="test",
                                                               subject=event.aggregate_id,
                                                               data=event.model_dump(mode="json")))
    assert [t["subject"] for t in await _threads(client, company.officer, company)] == [
        "Security Model split request approved by C-TPAT Management"]
    async with scene.runtime.database.transaction() as session:
        count = (await session.execute(select(tables.threads.c.id).where(
            tables.threads.c.security_model_id == new_model))).all()
    assert len(count) == 1
