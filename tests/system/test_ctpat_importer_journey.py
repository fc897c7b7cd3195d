"""One importer through the gateway, from a new Trade Account to Certified, an annual review and a validation
response (issue 7 §7), with every event ctpat publishes checked against the published schemas (PL-03).

Everything goes through the gateway as a browser's API client would, except:
- CBP staff are created with identity's admin command line, as an operator does;
- the documents service is not built yet, so this test stands in for it and publishes `DocumentUploaded`
  (its published contract) to its topic when evidence is "uploaded"; ctpat's real worker consumes it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker

PUBLISHED = Path(__file__).resolve().parents[2] / "libs" / "portal-events" / "src" / "portal_events" / "schemas"
REPO = Path(__file__).resolve().parents[2]
PASSWORD = "Harbor#Crane42"
PROFILE = {"salutation": "Ms.", "first_name": "Ana", "last_name": "Lopez", "title": "Chief Compliance Officer",
           "phone": "+1 202 555 0100"}
ADDRESS = {"type": "headquarters", "street_line_1": "1300 Pennsylvania Ave NW", "city": "Washington",
           "country": "US", "state": "DC", "postal_code": "20229"}
MAILING = {**ADDRESS, "type": "trade_security_poc_office", "street_line_1": "1 Port Blvd", "city": "Laredo",
           "state": "TX", "postal_code": "78040"}

pytestmark = [pytest.mark.system, pytest.mark.timeout(300)]


def _call(portal: httpx.Client, method: str, path: str, token: str, *, expect: int = 200, json_body=None,
          deadline: float = 30.0) -> httpx.Response:
    """One API call; a 409 with Retry-After (another service not caught up yet) is retried, within `deadline`."""
    headers = {"Authorization": f"Bearer {token}"}
    give_up = time.monotonic() + deadline
    while True:
        response = portal.request(method, path, headers=headers, json=json_body)
        if response.status_code == 409 and "retry-after" in response.headers and time.monotonic() < give_up:
            time.sleep(0.2)
            continue
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response


def _until(what: str, check, timeout: float = 60.0):
    give_up = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < give_up, f"timed out waiting for {what}"
        time.sleep(0.25)


def _sign_in(portal: httpx.Client, email: str) -> str:
    response = portal.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return response.json()["access_token"]


def _trade_user(portal: httpx.Client) -> tuple[str, str]:
    email = f"importer-{uuid.uuid4().hex[:10]}@example.com"
    questions = [{"question_id": i, "answer": f"answer {i}"} for i in (1, 2, 3)]
    assert portal.post("/api/identity/users", json={"email": email, "password": PASSWORD,
                                                    "security_questions": questions}).status_code == 201
    token = _sign_in(portal, email)
    _call(portal, "PUT", "/api/identity/me/profile", token, json_body=PROFILE)
    return email, token


def _staff(portal: httpx.Client, role: str) -> tuple[str, str]:
    """A CBP staff user, made with identity's admin command line as an operator would."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@cbp.example"
    subprocess.run([sys.executable, "-m", "identity", "create-staff", email, "--role", role, "--password-stdin"],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True, env=os.environ.copy(),
                   cwd=REPO, timeout=60)
    token = _sign_in(portal, email)
    me = _call(portal, "GET", "/api/identity/me", token).json()
    return me["id"], token


def _publish_uploads(model_id: str, criteria: list[str]) -> None:
    """The documents service's part, until it exists: one DocumentUploaded per evidence document."""
    import asyncio

    from aiokafka import AIOKafkaProducer

    async def publish() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"], acks="all")
        await producer.start()
        try:
            for criterion_id in criteria:
                document_id = str(uuid.uuid4())
                payload = {
                    "document_id": document_id, "occurred_at": datetime.now(UTC).isoformat(), "version": 1,
                    "library": "partner", "security_model_id": model_id, "title": f"Evidence {criterion_id}.pdf",
                    "document_type": "procedure", "content_type": "application/pdf", "size_bytes": 2048,
                    "uploaded_by": str(uuid.uuid4()),
                    "uploaded_for": {"kind": "security_profile_criterion", "criterion_id": criterion_id},
                }
                headers = [("ce_specversion", b"1.0"), ("ce_id", str(uuid.uuid4()).encode()),
                           ("ce_type", b"DocumentUploaded.v1"), ("ce_source", b"documents"),
                           ("ce_time", datetime.now(UTC).isoformat().encode()), ("ce_subject", document_id.encode()),
                           ("content-type", b"application/json")]
                await producer.send_and_wait("documents.document.v1", json.dumps(payload).encode(),
                                             key=document_id.encode(), headers=headers)
        finally:
            await producer.stop()

    asyncio.run(publish())


def _validator(event_type: str) -> Draft202012Validator:
    schema = json.loads((PUBLISHED / f"{event_type}.schema.json").read_text())
    return Draft202012Validator(schema, format_checker=FormatChecker())


@pytest.mark.req("CT-11")
@pytest.mark.req("CT-13")
@pytest.mark.req("CT-15")
def test_an_importer_goes_from_a_new_trade_account_to_certified_an_annual_review_and_a_validation_response(
    portal, topic_listener,
):
    ctpat_listener = topic_listener("ctpat.security-model.v1")
    _, officer = _trade_user(portal)
    scss_id, scss = _staff(portal, "scss")
    _, management = _staff(portal, "management")

    # The Trade Account, as its Organization Profile (trade-accounts).
    account = _call(portal, "POST", "/api/trade-accounts/trade-accounts", officer, expect=201, json_body={
        "company_information": {"company_name": "Harbor Imports LLC"}}).json()
    headquarters = _call(portal, "POST", f"/api/trade-accounts/trade-accounts/{account['id']}/addresses", officer,
                         expect=201, json_body=ADDRESS).json()
    office = _call(portal, "POST", f"/api/trade-accounts/trade-accounts/{account['id']}/addresses", officer,
                   expect=201, json_body=MAILING).json()

    # The application (ctpat): ctpat knows the account from trade-accounts' events; the gateway makes this
    # caller's next request wait for them (read-your-writes), so no sleeping here.
    catalogue = _call(portal, "GET", "/api/ctpat/catalogue", officer).json()
    importer = next(t for t in catalogue["business_types"] if t["code"] == "importer")
    answers = {q["id"]: q["choices"][0]["value"] for q in importer["questions"]}  # the first answer is "yes"
    partner_version = next(a["version"] for a in catalogue["agreements"] if a["agreement"] == "partner")
    model = _call(portal, "POST", "/api/ctpat/security-models", officer, expect=201, json_body={
        "trade_account_id": account["id"], "business_type": "importer", "eligibility_answers": answers,
        "identifiers": {"ior": ["12-3456789AB"]}, "applicant_contact_type": "officer"}).json()
    base = f"/api/ctpat/security-models/{model['id']}"
    _call(portal, "PUT", f"{base}/addresses", officer, json_body={"addresses": [
        {"address_id": headquarters["id"], "primary": True}, {"address_id": office["id"], "mailing": True}]})
    profile = _call(portal, "GET", f"{base}/profile", officer).json()
    criteria = [c for category in profile["categories"] for c in category["criteria"]]
    for criterion in criteria:
        _call(portal, "PUT", f"{base}/profile/{criterion['id']}", officer, json_body={
            "response": f"Harbor Imports meets {criterion['id']} with a written, yearly reviewed procedure."})
    _publish_uploads(model["id"], [c["id"] for c in criteria if c["evidence_required"]])
    _until("evidence to reach ctpat", lambda: _call(portal, "GET", f"{base}/profile", officer).json()["complete"])

    # CBP: Management assigns the SCSS (ctpat hears of new staff from identity's events, hence the wait).
    _until("the SCSS to be known to ctpat", lambda: portal.put(
        f"{base}/scss", json={"scss_user_id": scss_id},
        headers={"Authorization": f"Bearer {management}"}).status_code == 200)
    _call(portal, "POST", f"{base}/submission", officer,
          json_body={"agreement_version": partner_version, "signer_name": "Ana Lopez"})
    certified = _call(portal, "POST", f"{base}/review", scss, json_body={"decision": "approve"}).json()
    assert certified["status"] == "certified"

    # The annual review: Management moves the anniversary so that one is due in 30 days; the worker's
    # scheduler opens its window (it looks every few seconds here).
    due = date.today() + timedelta(days=30)
    _call(portal, "PUT", f"{base}/anniversary", management, json_body={
        "anniversary_date": due.replace(year=due.year - 1).isoformat(), "reason": "Aligned with the validation."})
    reviews = _until("the annual review window to open", lambda: _call(
        portal, "GET", f"{base}/annual-reviews", officer).json(), timeout=60)
    year = reviews[0]["review_year"]
    for criterion in criteria:
        _call(portal, "PUT", f"{base}/annual-reviews/{year}/affirmations/{criterion['id']}", officer, expect=204,
              json_body={"affirmed": True})
    assert _call(portal, "POST", f"{base}/annual-reviews/{year}/submission", officer).json()["state"] == "submitted"
    assert _call(portal, "POST", f"{base}/annual-reviews/{year}/approval", scss).json()["state"] == "approved"

    # A validation, and the partner's response to it.
    validation = _call(portal, "POST", f"{base}/validations", scss, expect=201, json_body={
        "validation_date": date.today().isoformat(), "result": "meets", "report": "Site visit; seals audited.",
        "recommendations": ["Log seal numbers electronically."], "actions_required": ["Repair the east fence."]}).json()
    for item in validation["items"]:
        _call(portal, "PUT", f"{base}/validations/{validation['id']}/items/{item['id']}/reply", officer,
              json_body={"reply": "Done: see the attached photos."})
    response = _call(portal, "POST", f"{base}/validations/{validation['id']}/response", officer).json()
    assert response["response_state"] == "submitted"

    # Every event about this model, as an outside subscriber received it, keeps the published contract.
    wanted = {"SecurityModelCreated.v1", "ContactsChanged.v1", "CompanyProfileAddressesChanged.v1",
              "ScssAssigned.v1", "AgreementSigned.v1", "StatusChanged.v1", "AnnualReviewWindowOpened.v1"}
    records = ctpat_listener.wait_for(lambda r: r["key"] == model["id"] and r["headers"].get("ce_type") ==
                                      "AnnualReviewWindowOpened.v1")
    records = [r for r in ctpat_listener.records() if r["key"] == model["id"]]
    types = [r["headers"]["ce_type"] for r in records]
    assert wanted <= set(types), types
    for record in records:
        errors = list(_validator(record["headers"]["ce_type"]).iter_errors(record["payload"]))
        assert not errors, (record["headers"]["ce_type"], [e.message for e in errors])
        assert record["headers"]["ce_source"] == "ctpat" and record["headers"]["ce_subject"] == model["id"]
    versions = [r["payload"]["version"] for r in records]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)  # in order, none twice
    statuses = [r["payload"]["status"] for r in records if r["headers"]["ce_type"] == "StatusChanged.v1"]
    assert statuses[:3] == ["applicant", "under_review", "certified"]
