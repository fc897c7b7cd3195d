"""SVI kept current by ctpat's StatusChanged, through the gateway (issue 8 §3, SV-08).

Two importers are certified and sign the SVI agreement through ctpat; one asks the other to monitor it, the
other accepts (svi); then the SCSS suspends the monitored model in ctpat, and the monitoring partner's view in
svi turns to Not Certified. An older event delivered again (by hand, onto ctpat's topic, as Kafka may redeliver)
changes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

PASSWORD = "Harbor#Crane42"
REPO = Path(__file__).resolve().parents[2]
PROFILE = {"salutation": "Ms.", "first_name": "Ana", "last_name": "Lopez", "title": "Compliance Officer",
           "phone": "+1 202 555 0100"}
ANSWERS = {"imp_active_importer": "yes", "imp_staffed_office": "united_states", "imp_ior_and_bond": "yes",
           "imp_security_officer": "yes"}

pytestmark = [pytest.mark.system, pytest.mark.timeout(240)]


def _call(portal, method, path, token, *, expect=200, body=None):
    give_up = time.monotonic() + 30
    while True:
        r = portal.request(method, path, headers={"Authorization": f"Bearer {token}"}, json=body)
        if r.status_code == 409 and "retry-after" in r.headers and time.monotonic() < give_up:
            time.sleep(0.2)
            continue
        assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text[:400]}"
        return r.json() if r.content else {}


def _until(what, check, timeout=60.0):
    give_up = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < give_up, f"timed out waiting for {what}"
        time.sleep(0.25)
    return result


def _sign_in(portal, email):
    r = portal.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()["access_token"]


def _staff(portal, role):
    email = f"{role}-{uuid.uuid4().hex[:8]}@cbp.example"
    out = subprocess.run([sys.executable, "-m", "identity", "create-staff", email, "--role", role, "--password-stdin"],
                         input=PASSWORD + "\n", text=True, check=True, capture_output=True, env=os.environ.copy(),
                         cwd=REPO, timeout=60).stdout
    return out.rsplit("id=", 1)[1].strip(), _sign_in(portal, email)


def _certified_importer(portal, name, scss_id, scss, management):
    """A company through ctpat to Certified, with the SVI agreement signed; its officer's token and model id."""
    email = f"svi-{uuid.uuid4().hex[:10]}@example.com"
    questions = [{"question_id": i, "answer": f"answer {i}"} for i in (1, 2, 3)]
    assert portal.post("/api/identity/users", json={"email": email, "password": PASSWORD,
                                                    "security_questions": questions}).status_code == 201
    officer = _sign_in(portal, email)
    _call(portal, "PUT", "/api/identity/me/profile", officer, body=PROFILE)
    account = _call(portal, "POST", "/api/trade-accounts/trade-accounts", officer, expect=201,
                    body={"company_information": {"company_name": name}})
    address = _call(portal, "POST", f"/api/trade-accounts/trade-accounts/{account['id']}/addresses", officer,
                    expect=201, body={"type": "headquarters", "street_line_1": "1 Port Blvd", "city": "Laredo",
                                      "country": "US", "state": "TX", "postal_code": "78040"})
    model = _call(portal, "POST", "/api/ctpat/security-models", officer, expect=201, body={
        "trade_account_id": account["id"], "business_type": "importer", "eligibility_answers": ANSWERS,
        "identifiers": {"ior": ["12-3456789"]}, "applicant_contact_type": "officer"})
    base = f"/api/ctpat/security-models/{model['id']}"
    _call(portal, "PUT", f"{base}/addresses", officer,
          body={"addresses": [{"address_id": address["id"], "primary": True, "mailing": True}]})
    profile = _call(portal, "GET", f"{base}/profile", officer)
    criteria = [c for cat in profile["categories"] for c in cat["criteria"]]
    for c in criteria:
        body = ({"not_applicable": True, "reason": "Evidence follows at validation."} if c["evidence_required"]
                else {"response": f"Written procedure for {c['id']}."})
        _call(portal, "PUT", f"{base}/profile/{c['id']}", officer, body=body)
    _until("the SCSS to be known to ctpat", lambda: portal.put(
        f"{base}/scss", json={"scss_user_id": scss_id},
        headers={"Authorization": f"Bearer {management}"}).status_code == 200)
    catalogue = _call(portal, "GET", "/api/ctpat/catalogue", officer)
    versions = {a["agreement"]: a["version"] for a in catalogue["agreements"]}
    _call(portal, "POST", f"{base}/submission", officer,
          body={"agreement_version": versions["partner"], "signer_name": "Ana Lopez"})
    _call(portal, "POST", f"{base}/review", scss, body={"decision": "approve"})
    _call(portal, "POST", f"{base}/agreements", officer,
          body={"agreement": "svi", "agreement_version": versions["svi"], "signer_name": "Ana Lopez"})
    return officer, model["id"]


@pytest.mark.req("SV-08")
def test_a_status_change_in_ctpat_reaches_the_monitoring_partners_view(portal, topic_listener):
    scss_id, scss = _staff(portal, "scss")
    _, management = _staff(portal, "management")
    tag = uuid.uuid4().hex[:6]
    monitored, monitored_model = _certified_importer(portal, f"Quill {tag} Imports", scss_id, scss, management)
    monitor, monitor_model = _certified_importer(portal, f"Osprey {tag} Retail", scss_id, scss, management)

    # svi hears of both from ctpat; the monitored officer's own writes are waited for by the gateway.
    found = _until("the monitor to be searchable in svi", lambda: _call(
        portal, "GET", f"/api/svi/security-models/{monitored_model}/partner-search?q=Osprey%20{tag}", monitored))
    assert found[0]["security_model_id"] == monitor_model
    (request,) = _call(portal, "POST", f"/api/svi/security-models/{monitored_model}/monitoring-requests", monitored,
                       expect=201, body={"monitoring_model_ids": [monitor_model]})
    _until("the request to reach the monitor's list", lambda: _call(
        portal, "GET", f"/api/svi/security-models/{monitor_model}/partners-you-monitor", monitor))
    _call(portal, "POST", f"/api/svi/monitoring-requests/{request['id']}/decision", monitor,
          body={"decision": "accept"})
    view = f"/api/svi/security-models/{monitor_model}/partners-you-monitor"
    assert _call(portal, "GET", view, monitor)[0]["certified"] is True

    # The SCSS suspends the monitored model in ctpat; svi follows StatusChanged.
    listener = topic_listener("ctpat.security-model.v1")
    _call(portal, "POST", f"/api/ctpat/security-models/{monitored_model}/status-changes", scss,
          body={"status": "suspended", "reason": "Seal audit failed."})
    row = _until("svi to show Not Certified", lambda: (
        r if (r := _call(portal, "GET", view, monitor)[0])["certified"] is False else None))
    assert row["company_name"] == f"Quill {tag} Imports" and row["state"] == "accepted"

    (suspension,) = listener.wait_for(lambda r: r["key"] == monitored_model and
                                      r["headers"].get("ce_type") == "StatusChanged.v1")

    # Reinstated; then the suspension's event delivered again (as Kafka may after a crash) changes nothing:
    # svi's inbox knows the event id, and its version is older than what svi applied.
    _call(portal, "POST", f"/api/ctpat/security-models/{monitored_model}/status-changes", scss,
          body={"status": "certified", "reason": "Re-audit passed."})
    _until("svi to show Certified again", lambda: _call(portal, "GET", view, monitor)[0]["certified"] is True)
    _redeliver(suspension)
    time.sleep(2)  # bounded: the redelivered copy had its chance to be applied
    assert _call(portal, "GET", view, monitor)[0]["certified"] is True


def _redeliver(record: dict) -> None:
    import asyncio

    from aiokafka import AIOKafkaProducer

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"], acks="all")
        await producer.start()
        try:
            await producer.send_and_wait("ctpat.security-model.v1", json.dumps(record["payload"]).encode(),
                                         key=record["key"].encode(),
                                         headers=[(k, v.encode()) for k, v in record["headers"].items()])
        finally:
            await producer.stop()

    asyncio.run(send())
