"""What CBP's later SVI added beyond the manual (issue 8 §4): auto-accept, share more, all of a company's models
at once, and a certification notice e-mailed to a company outside C-TPAT."""

from __future__ import annotations

import email
import os
import time
import uuid
from pathlib import Path

from svi import tables

from portal_events.ctpat import ContactEntry, ContactsChanged, SecurityModelCreated, StatusChanged
from servicekit.mail import MailSender


async def _ask(client, me, *targets):
    return await client.post(f"/security-models/{me.model_id}/monitoring-requests", headers=me.officer.headers,
                             json={"monitoring_model_ids": [str(t.model_id) for t in targets]})


async def test_a_monitoring_partner_with_auto_accept_accepts_every_request_at_once(client, partners):
    me, monitor = await partners.partner(), await partners.partner()
    r = await client.put(f"/security-models/{monitor.model_id}/svi-settings", headers=monitor.officer.headers,
                         json={"auto_accept": True, "share_more": False})
    assert r.status_code == 200

    (request,) = (await _ask(client, me, monitor)).json()

    assert request["state"] == "accepted" and request["history"][-1]["by"] is None
    assert "automatically" in request["history"][-1]["note"]


async def test_a_partner_who_shares_more_shows_its_tier_and_point_of_contact_while_accepted(client, partners):
    me, monitor = await partners.partner(), await partners.partner()
    await partners.set_status(me, "certified_exceeding")
    (request,) = (await _ask(client, me, monitor)).json()
    await client.post(f"/monitoring-requests/{request['id']}/decision", json={"decision": "accept"},
                      headers=monitor.officer.headers)
    view = f"/security-models/{monitor.model_id}/partners-you-monitor"
    (row,) = (await client.get(view, headers=monitor.officer.headers)).json()
    assert row["tier"] is None and row["point_of_contact"] is None  # not opted in

    await client.put(f"/security-models/{me.model_id}/svi-settings", headers=me.officer.headers,
                     json={"auto_accept": False, "share_more": True})

    (row,) = (await client.get(view, headers=monitor.officer.headers)).json()
    assert row["tier"] == "certified_exceeding"
    assert row["point_of_contact"] == {"name": "Ana Lopez", "email": me.officer.email}


async def test_a_company_asks_for_all_its_participating_models_at_once(client, partners):
    me, monitor = await partners.partner(), await partners.partner()
    second = type(me)(uuid.uuid4(), me.trade_account_id, me.name, me.officer, me.bystander, "certified")
    await partners.model_event(second, SecurityModelCreated, business_types=["exporter"])
    await partners.model_event(second, ContactsChanged, contacts=[
        ContactEntry(member_id=me.officer.member_id, contact_type="officer", primary_poc=True)])
    await partners.model_event(second, StatusChanged, status="certified", previous_status=None, certified=True,
                               changed_by=uuid.uuid4(), reason="test", business_types=["exporter"])
    await partners.sign(second)

    made = await client.post(f"/trade-accounts/{me.trade_account_id}/monitoring-requests",
                             headers=me.officer.headers, json={"monitoring_model_ids": [str(monitor.model_id)]})

    assert made.status_code == 201, made.text
    assert {r["monitored_model_id"] for r in made.json()} == {str(me.model_id), str(second.model_id)}


async def test_a_certification_notice_reaches_a_company_outside_c_tpat(client, partners, runtime, settings):
    me = await partners.partner()
    outsider = f"buyer-{uuid.uuid4().hex[:8]}@outside.example"
    r = await client.post(f"/security-models/{me.model_id}/certification-notices", headers=me.officer.headers,
                          json={"email": outsider, "note": "As discussed: our C-TPAT status."})
    assert r.status_code == 202, r.text

    sender = MailSender.from_settings(settings, runtime.database, tables.mail_outbox, runtime.clock)
    mail_dir = Path(os.environ["PORTAL_MAIL_DIR"])
    deadline = time.monotonic() + 20
    while True:  # the sink may hold other tests' mail too; send until ours is out
        await sender.send_pending()
        found = [p for p in mail_dir.glob("*.eml") if outsider in p.read_text(errors="replace")]
        if found or time.monotonic() > deadline:
            break
    assert found, "the notice did not reach the SMTP sink"
    message = email.message_from_string(found[0].read_text())
    assert message["To"] == outsider and me.name in message["Subject"]
    assert "Certified" in message.get_payload() and "As discussed" in message.get_payload()


async def test_an_unsigned_model_sends_no_notice(client, partners, fingerprint):
    me = await partners.partner(signed=False)
    before = await fingerprint()
    r = await client.post(f"/security-models/{me.model_id}/certification-notices", headers=me.officer.headers,
                          json={"email": "buyer@outside.example"})
    assert r.status_code == 409
    assert await fingerprint() == before


async def test_settings_are_json_booleans_and_nothing_else(client, partners, fingerprint):
    monitor = await partners.partner()
    before = await fingerprint()
    for wrong in ("false", 0, 1, "yes", None):
        r = await client.put(f"/security-models/{monitor.model_id}/svi-settings", headers=monitor.officer.headers,
                             json={"auto_accept": wrong, "share_more": False})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "auto_accept", wrong
    assert await fingerprint() == before
