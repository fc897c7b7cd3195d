"""The messaging service through the gateway, with the real services around it (issue 10).

- MSG-01, MSG-04: an Officer starts a thread to the model's SCSS with a Partner Library document (uploaded through
  documents) attached; the SCSS finds it unread in their inbox, opens it and replies; the Officer finds the reply
  on top; a user of the same Trade Account who is no contact is told the thread does not exist.
- MSG-01: Management reassigns the SCSS in ctpat; the new SCSS has the thread, the old one no longer sees it.
- MSG-05: the annual review window opened by ctpat's scheduler reaches the account as one system thread naming
  the due date, and stays one when Kafka delivers the event again.
- PL-03: an outside subscriber reads `MessagePosted` on `messaging.thread.v1`, on its published contract and
  without a word of what was written.

Everything messaging knows comes from the other services' events, so every first read of it is polled, bounded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = REPO / "libs" / "portal-events" / "published"
PASSWORD = "Harbor#Crane42"
PROFILE = {"salutation": "Ms.", "first_name": "Ana", "last_name": "Lopez", "title": "Compliance Officer",
           "phone": "+1 202 555 0100"}
ADDRESS = {"type": "headquarters", "street_line_1": "1 Port Blvd", "city": "Laredo", "country": "US", "state": "TX",
           "postal_code": "78040"}
ANSWERS = {"imp_active_importer": "yes", "imp_staffed_office": "united_states", "imp_ior_and_bond": "yes",
           "imp_security_officer": "yes"}
MESSAGING = "/api/messaging"
DOCUMENTS = "/api/documents"
CTPAT = "/api/ctpat"
# Seconds for another service's event to reach messaging: generous, since the test only ever polls up to it.
EVENT_LIMIT = 30.0

pytestmark = [pytest.mark.system, pytest.mark.timeout(240)]


def _call(portal: httpx.Client, method: str, path: str, token: str, *, expect: int = 200, body=None,
          **kwargs) -> httpx.Response:
    """One API call; a 409 with Retry-After (another service not caught up yet) is retried, for 30 s at most."""
    give_up = time.monotonic() + 30
    while True:
        response = portal.request(method, path, headers={"Authorization": f"Bearer {token}"}, json=body, **kwargs)
        if response.status_code == 409 and "retry-after" in response.headers and time.monotonic() < give_up:
            time.sleep(0.2)
            continue
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response


def _until(what: str, check, timeout: float = EVENT_LIMIT):
    give_up = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < give_up, f"timed out after {timeout:.0f} s waiting for {what}"
        time.sleep(0.1)
    return result


def _status(portal: httpx.Client, method: str, path: str, token: str, body=None) -> int:
    return portal.request(method, path, headers={"Authorization": f"Bearer {token}"}, json=body).status_code


def _sign_in(portal: httpx.Client, email: str) -> str:
    response = portal.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return response.json()["access_token"]


@dataclass(frozen=True)
class Person:
    id: str
    email: str
    token: str


def _me(portal: httpx.Client, email: str, token: str) -> Person:
    return Person(_call(portal, "GET", "/api/identity/me", token).json()["id"], email, token)


def _trade_user(portal: httpx.Client) -> Person:
    email = f"msg-{uuid.uuid4().hex[:10]}@example.com"
    questions = [{"question_id": i, "answer": f"answer {i}"} for i in (1, 2, 3)]
    assert portal.post("/api/identity/users", json={"email": email, "password": PASSWORD,
                                                    "security_questions": questions}).status_code == 201
    token = _sign_in(portal, email)
    _call(portal, "PUT", "/api/identity/me/profile", token, body=PROFILE)
    return _me(portal, email, token)


def _staff(portal: httpx.Client, role: str) -> Person:
    """A CBP staff user, made with identity's admin command line as an operator would."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@cbp.example"
    subprocess.run([sys.executable, "-m", "identity", "create-staff", email, "--role", role, "--password-stdin"],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True, env=os.environ.copy(),
                   cwd=REPO, timeout=60)
    return _me(portal, email, _sign_in(portal, email))


@dataclass(frozen=True)
class Cbp:
    scss: Person
    successor: Person  # a second SCSS, for the reassignment
    management: Person


@pytest.fixture(scope="module")
def cbp(gateway_url: str) -> Cbp:
    """The module's CBP staff: made once, since the command line costs a process start each."""
    with httpx.Client(base_url=gateway_url, timeout=30) as portal:
        return Cbp(_staff(portal, "scss"), _staff(portal, "scss"), _staff(portal, "management"))


@dataclass(frozen=True)
class Company:
    officer: Person
    account_id: str
    model: dict

    @property
    def model_id(self) -> str:
        return self.model["id"]


def _importer(portal: httpx.Client) -> Company:
    """An Officer with a Trade Account and an importer Security Model (the importer journey's way)."""
    officer = _trade_user(portal)
    account = _call(portal, "POST", "/api/trade-accounts/trade-accounts", officer.token, expect=201, body={
        "company_information": {"company_name": f"Harbor Mail {uuid.uuid4().hex[:6]} LLC"}}).json()
    address = _call(portal, "POST", f"/api/trade-accounts/trade-accounts/{account['id']}/addresses", officer.token,
                    expect=201, body=ADDRESS).json()
    model = _call(portal, "POST", f"{CTPAT}/security-models", officer.token, expect=201, body={
        "trade_account_id": account["id"], "business_type": "importer", "eligibility_answers": ANSWERS,
        "identifiers": {"ior": ["12-3456789"]}, "applicant_contact_type": "officer"}).json()
    _call(portal, "PUT", f"{CTPAT}/security-models/{model['id']}/addresses", officer.token,
          body={"addresses": [{"address_id": address["id"], "primary": True, "mailing": True}]})
    return Company(officer, account["id"], model)


def _assign_scss(portal: httpx.Client, company: Company, management: Person, scss: Person) -> float:
    """Management assigns the model's SCSS in ctpat (which hears of new staff from identity, hence the wait).
    Returns when it was accepted (monotonic)."""
    _until("the SCSS to be known to ctpat", lambda: _status(
        portal, "PUT", f"{CTPAT}/security-models/{company.model_id}/scss", management.token,
        {"scss_user_id": scss.id}) == 200)
    return time.monotonic()


def _account_user(portal: httpx.Client, company: Company) -> tuple[Person, str]:
    """A second person made a user of the Officer's Trade Account (no contact of any model): them, their member id."""
    person = _trade_user(portal)
    # Their own request waits until trade-accounts knows them (read-your-writes): they are added as active.
    _call(portal, "GET", "/api/trade-accounts/navigation", person.token)
    member = _call(portal, "POST", f"/api/trade-accounts/trade-accounts/{company.account_id}/users",
                   company.officer.token, expect=201,
                   body={"email": person.email, "confirm_email": person.email, **PROFILE, "type": "user"}).json()
    assert member["status"] == "active", member
    return person, member["id"]


def _pdf(label: str) -> bytes:
    return (b"%PDF-1.4\n% " + label.encode() + b" " + uuid.uuid4().hex.encode() + b"\n"
            + b"1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def _upload(portal: httpx.Client, company: Company, title: str) -> dict:
    """A Partner Library document, uploaded through documents as a form (the documents system test's way)."""
    return _call(portal, "POST", f"{DOCUMENTS}/libraries/partner/documents", company.officer.token, expect=201,
                 data={"document_type": "policy_procedure", "title": title, "security_model_id": company.model_id},
                 files={"file": (f"{title}.pdf", _pdf(title), "application/pdf")}).json()


def _threads(portal: httpx.Client, company: Company, who: Person) -> list[dict]:
    return _call(portal, "GET", f"{MESSAGING}/security-models/{company.model_id}/threads", who.token,
                 params={"limit": 200}).json()["items"]


def _inbox_row(portal: httpx.Client, who: Person, thread_id: str) -> dict | None:
    items = _call(portal, "GET", f"{MESSAGING}/inbox", who.token, params={"limit": 200}).json()["items"]
    return next((t for t in items if t["id"] == thread_id), None)


def _messaging_knows_contact(portal: httpx.Client, company: Company, who: Person) -> None:
    """messaging hears of the model and its contacts from trade-accounts' and ctpat's events."""
    _until("messaging to know the contact", lambda: _status(
        portal, "GET", f"{MESSAGING}/security-models/{company.model_id}/threads", who.token) == 200)


def _post_attaching(portal: httpx.Client, path: str, who: Person, request: dict) -> dict:
    """POST a message; while messaging has not heard documents' DocumentUploaded, the attachment is a 422 on
    document_id, so that answer (and only it) is polled, bounded."""

    def posted() -> httpx.Response | None:
        response = portal.post(path, json=request, headers={"Authorization": f"Bearer {who.token}"})
        if response.status_code == 422:
            assert [e["field"] for e in response.json()["errors"]] == ["document_id"], response.text
            return None
        assert response.status_code == 201, f"POST {path}: {response.status_code} {response.text[:500]}"
        return response

    return _until("messaging to know the attached document", posted).json()


def _start_thread(portal: httpx.Client, company: Company, subject: str, body: str,
                  document_id: str | None = None) -> dict:
    request = {"subject": subject, "body": body, **({"document_id": document_id} if document_id else {})}
    return _post_attaching(portal, f"{MESSAGING}/security-models/{company.model_id}/threads", company.officer,
                           request)


def _problem(response: httpx.Response) -> tuple:
    return response.status_code, {k: v for k, v in response.json().items() if k != "instance"}


def _validator(event_type: str) -> Draft202012Validator:
    schema = json.loads((PUBLISHED / f"{event_type}.v1.schema.json").read_text())
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _conversation(portal: httpx.Client, cbp: Cbp, tag: str) -> tuple[Company, dict, dict, float]:
    """An importer whose Officer starts a thread to the assigned SCSS with a Partner Library document attached:
    the company, the document, the thread, and seconds from the upload until messaging took the attachment."""
    company = _importer(portal)
    _assign_scss(portal, company, cbp.management, cbp.scss)
    document = _upload(portal, company, f"Seal log {tag}")
    uploaded = time.monotonic()
    _messaging_knows_contact(portal, company, company.officer)
    thread = _start_thread(portal, company, f"Seal audit {tag}",
                           f"Attached is our seal log ({tag}); is it what you need for the audit?", document["id"])
    return company, document, thread, time.monotonic() - uploaded


@pytest.mark.req("MSG-01")
@pytest.mark.req("MSG-04")
def test_a_thread_with_a_partner_library_document_reaches_the_scss_and_the_reply_comes_back(portal, cbp):
    tag = uuid.uuid4().hex[:6]
    company, document, thread, attach_took = _conversation(portal, cbp, tag)
    bystander, _ = _account_user(portal, company)

    assert thread["security_model_id"] == company.model_id and thread["kind"] == "conversation"
    (first,) = thread["messages"]
    assert first["author"] == "contact" and first["author_user_id"] == company.officer.id
    assert first["attachment"] == {"document_id": document["id"], "title": f"Seal log {tag}"}

    # The SCSS's inbox (MSG-04: it reaches the assigned SCSS), unread for them.
    started = time.monotonic()
    row = _until("the thread in the SCSS's inbox", lambda: _inbox_row(portal, cbp.scss, thread["id"]))
    inbox_took = time.monotonic() - started
    assert (row["subject"], row["unread"], row["message_count"]) == (f"Seal audit {tag}", True, 1)
    assert row["security_model_id"] == company.model_id and row["company_name"].startswith("Harbor Mail ")

    # The SCSS opens it, marks it read, and replies to the same thread.
    opened = _call(portal, "GET", f"{MESSAGING}/threads/{thread['id']}", cbp.scss.token).json()
    assert opened["unread_before"] is True and [m["id"] for m in opened["messages"]] == [first["id"]]
    assert opened["messages"][0]["attachment"]["document_id"] == document["id"]
    _call(portal, "POST", f"{MESSAGING}/threads/{thread['id']}/read", cbp.scss.token, expect=204)
    assert _inbox_row(portal, cbp.scss, thread["id"])["unread"] is False
    answer = f"Received ({tag}); the audit is on the 12th."
    _call(portal, "POST", f"{MESSAGING}/threads/{thread['id']}/messages", cbp.scss.token, expect=201,
          body={"body": answer})

    # The Officer's list: the thread unread (for them), two messages; opened, the reply on top.
    (listed,) = [t for t in _threads(portal, company, company.officer) if t["id"] == thread["id"]]
    assert (listed["unread"], listed["message_count"]) == (True, 2)
    shown = _call(portal, "GET", f"{MESSAGING}/threads/{thread['id']}", company.officer.token).json()
    assert [(m["sequence"], m["author"], m["body"]) for m in shown["messages"]] == [
        (2, "scss", answer), (1, "contact", first["body"])]
    assert shown["messages"][0]["author_user_id"] == cbp.scss.id and shown["unread_before"] is True
    _call(portal, "POST", f"{MESSAGING}/threads/{thread['id']}/read", company.officer.token, expect=204)
    assert [t["unread"] for t in _threads(portal, company, company.officer) if t["id"] == thread["id"]] == [False]
    assert _inbox_row(portal, cbp.scss, thread["id"])["unread"] is False  # read marks are per user

    # MSG-01: a user of the same Trade Account who is no contact. Their 404 only means something once messaging
    # knows them as a member: a rename of the account, after they joined, on the same partition of trade-accounts'
    # topic, shows up in the SCSS's inbox only after their TradeAccountUserAdded was applied.
    # (Only the account's SCSS renames it, once trade-accounts has heard of the assignment from ctpat.)
    renamed = f"Harbor Mail {tag} Renamed LLC"
    _until("the SCSS to rename the account", lambda: _status(
        portal, "PUT", f"/api/trade-accounts/trade-accounts/{company.account_id}/company-information",
        cbp.scss.token, {"company_name": renamed}) == 200)
    _until("messaging to apply the account's later events",
           lambda: _inbox_row(portal, cbp.scss, thread["id"])["company_name"] == renamed)
    unknown = _call(portal, "GET", f"{MESSAGING}/threads/{uuid.uuid4()}", bystander.token, expect=404)
    refused = _call(portal, "GET", f"{MESSAGING}/threads/{thread['id']}", bystander.token, expect=404)
    assert _problem(refused) == _problem(unknown)  # identical to an id that does not exist
    _call(portal, "GET", f"{MESSAGING}/security-models/{company.model_id}/threads", bystander.token, expect=404)
    _call(portal, "POST", f"{MESSAGING}/threads/{thread['id']}/messages", bystander.token, expect=404,
          body={"body": "Let me in"})
    _call(portal, "POST", f"{MESSAGING}/threads/{thread['id']}/read", bystander.token, expect=404)
    assert _call(portal, "GET", f"{MESSAGING}/inbox", bystander.token).json()["items"] == []
    assert [m["sequence"] for m in _call(portal, "GET", f"{MESSAGING}/threads/{thread['id']}",
                                         company.officer.token).json()["messages"]] == [2, 1]  # nothing added
    print(f"\nMSG-04: the attachment was accepted {attach_took:.2f} s after the upload completed; "
          f"the thread was in the SCSS's inbox {inbox_took:.2f} s after it was started")


@pytest.mark.req("MSG-01")
def test_a_reassigned_scss_takes_the_thread_over_and_the_old_one_loses_it(portal, cbp):
    company = _importer(portal)
    _assign_scss(portal, company, cbp.management, cbp.scss)
    _messaging_knows_contact(portal, company, company.officer)
    thread = _start_thread(portal, company, "Fence repair", "The east fence is repaired; photos follow.")
    _until("the thread in the first SCSS's inbox", lambda: _inbox_row(portal, cbp.scss, thread["id"]))
    _call(portal, "GET", f"{MESSAGING}/threads/{thread['id']}", cbp.scss.token)

    reassigned = _assign_scss(portal, company, cbp.management, cbp.successor)

    def handed_over() -> bool:
        return (_inbox_row(portal, cbp.successor, thread["id"]) is not None
                and _status(portal, "GET", f"{MESSAGING}/threads/{thread['id']}", cbp.scss.token) == 404)

    _until("the thread to move to the new SCSS", handed_over)
    took = time.monotonic() - reassigned
    assert _inbox_row(portal, cbp.scss, thread["id"]) is None
    _call(portal, "GET", f"{MESSAGING}/security-models/{company.model_id}/threads", cbp.scss.token, expect=404)
    _call(portal, "POST", f"{MESSAGING}/threads/{thread['id']}/messages", cbp.scss.token, expect=404,
          body={"body": "Still mine?"})
    replied = _call(portal, "POST", f"{MESSAGING}/threads/{thread['id']}/messages", cbp.successor.token, expect=201,
                    body={"body": "I am your new SCSS; thank you for the photos."}).json()
    assert [(m["author"], m["author_user_id"]) for m in replied["messages"]] == [
        ("scss", cbp.successor.id), ("contact", company.officer.id)]
    print(f"\nMSG-01: the new SCSS had the thread, and the old one a 404, {took:.2f} s after the reassignment")


def _certify(portal: httpx.Client, company: Company, cbp: Cbp) -> None:
    """Through ctpat to Certified (the SVI system test's way: evidence-bound criteria answered not applicable)."""
    base = f"{CTPAT}/security-models/{company.model_id}"
    officer = company.officer.token
    profile = _call(portal, "GET", f"{base}/profile", officer).json()
    for criterion in [c for category in profile["categories"] for c in category["criteria"]]:
        body = ({"not_applicable": True, "reason": "Evidence follows at validation."} if criterion["evidence_required"]
                else {"response": f"Written procedure for {criterion['id']}."})
        _call(portal, "PUT", f"{base}/profile/{criterion['id']}", officer, body=body)
    _assign_scss(portal, company, cbp.management, cbp.scss)
    catalogue = _call(portal, "GET", f"{CTPAT}/catalogue", officer).json()
    version = next(a["version"] for a in catalogue["agreements"] if a["agreement"] == "partner")
    _call(portal, "POST", f"{base}/submission", officer, body={"agreement_version": version, "signer_name": "Ana Lopez"})
    assert _call(portal, "POST", f"{base}/review", cbp.scss.token,
                 body={"decision": "approve"}).json()["status"] == "certified"


def _redeliver(record: dict, times: int) -> None:
    """The record again, as it was (same event id and key), as Kafka may deliver it after a crash."""
    import asyncio

    from aiokafka import AIOKafkaProducer

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"], acks="all")
        await producer.start()
        try:
            for _ in range(times):
                await producer.send_and_wait("ctpat.security-model.v1", json.dumps(record["payload"]).encode(),
                                             key=record["key"].encode(),
                                             headers=[(k, v.encode()) for k, v in record["headers"].items()])
        finally:
            await producer.stop()

    asyncio.run(send())


def _review_threads(portal: httpx.Client, company: Company, who: Person) -> list[dict]:
    """The model's system threads about an annual review (status changes start system threads of their own)."""
    return [t for t in _threads(portal, company, who)
            if t["kind"] == "system" and t["subject"].startswith("Annual review due ")]


@pytest.mark.req("MSG-05")
def test_the_annual_review_window_opening_reaches_the_account_as_one_system_thread(portal, cbp, topic_listener):
    ctpat_topic = topic_listener("ctpat.security-model.v1")
    company = _importer(portal)
    _certify(portal, company, cbp)
    base = f"{CTPAT}/security-models/{company.model_id}"

    # Management moves the anniversary so that a review is due in 30 days; ctpat's scheduler (every few seconds
    # here, CTPAT_REVIEW_SCHEDULER_SECONDS) opens its window (the importer journey's way).
    due = date.today() + timedelta(days=30)
    _call(portal, "PUT", f"{base}/anniversary", cbp.management.token, body={
        "anniversary_date": due.replace(year=due.year - 1).isoformat(), "reason": "Aligned with the validation."})
    moved = time.monotonic()
    (review,) = _until("the annual review window to open", lambda: _call(
        portal, "GET", f"{base}/annual-reviews", company.officer.token).json(), timeout=60)
    assert review["due_date"] == due.isoformat()
    subject = f"Annual review due {due:%B} {due.day}, {due.year}"

    found = _until("the system thread in the Officer's list",
                   lambda: _review_threads(portal, company, company.officer), timeout=60)
    took = time.monotonic() - moved
    assert len(found) == 1, found
    system = found[0]
    assert (system["subject"], system["unread"], system["message_count"]) == (subject, True, 1)
    shown = _call(portal, "GET", f"{MESSAGING}/threads/{system['id']}", company.officer.token).json()
    (message,) = shown["messages"]
    assert (message["author"], message["author_user_id"], message["attachment"]) == ("system", None, None)
    assert f"{due:%B} {due.day}, {due.year}" in message["body"]
    assert [t["id"] for t in _review_threads(portal, company, cbp.scss)] == [system["id"]]  # the SCSS has it too

    # The same event delivered twice more; then a later event of the model (a new contact, same key, same
    # partition) applied by messaging shows the copies before it were handled: still one system thread.
    (opened,) = ctpat_topic.wait_for(lambda r: r["key"] == company.model_id and
                                     r["headers"].get("ce_type") == "AnnualReviewWindowOpened.v1", settle=0)
    _redeliver(opened, times=2)
    newcomer, member_id = _account_user(portal, company)
    contacts = [{"member_id": c["member_id"], "type": c["type"], "primary_poc": c["primary_poc"]}
                for c in company.model["contacts"]]
    _call(portal, "PUT", f"{base}/contacts", company.officer.token,
          body={"contacts": [*contacts, {"member_id": member_id, "type": "employee"}]})
    _messaging_knows_contact(portal, company, newcomer)
    assert [(t["id"], t["subject"]) for t in _review_threads(portal, company, company.officer)] == [
        (system["id"], subject)]
    assert [t["unread"] for t in _review_threads(portal, company, newcomer)] == [True]
    print(f"\nMSG-05: the system thread was in the Officer's list {took:.2f} s after the anniversary moved")


@pytest.mark.req("PL-03")
def test_an_outside_subscriber_sees_message_posted_on_its_contract_without_the_words(portal, cbp, topic_listener):
    thread_topic = topic_listener("messaging.thread.v1")
    tag = uuid.uuid4().hex[:6]
    company, document, thread, _ = _conversation(portal, cbp, tag)
    replies = [(cbp.scss, f"Thanks ({tag}); please send the training roster as well.", None),
               (company.officer, f"Here it is ({tag}).", _upload(portal, company, f"Roster {tag}")["id"])]
    _until("the thread to reach the SCSS", lambda: _inbox_row(portal, cbp.scss, thread["id"]))
    for who, body, document_id in replies:
        _post_attaching(portal, f"{MESSAGING}/threads/{thread['id']}/messages", who,
                        {"body": body, **({"document_id": document_id} if document_id else {})})
    posted = time.monotonic()

    thread_topic.wait_for(lambda r: r["key"] == thread["id"] and r["payload"]["sequence"] == 3, settle=0)
    took = time.monotonic() - posted
    time.sleep(2)  # bounded: long enough for a duplicate to show
    records = sorted((r for r in thread_topic.records() if r["key"] == thread["id"]),
                     key=lambda r: r["payload"]["sequence"])
    assert [r["payload"]["sequence"] for r in records] == [1, 2, 3], records  # each once
    validator = _validator("MessagePosted")
    for record in records:
        errors = list(validator.iter_errors(record["payload"]))
        assert not errors, [e.message for e in errors]
        assert record["headers"]["ce_type"] == "MessagePosted.v1" and record["headers"]["ce_source"] == "messaging"
        assert record["headers"]["ce_subject"] == thread["id"]
        assert record["payload"]["security_model_id"] == company.model_id
        assert (record["payload"]["kind"], record["payload"]["subject"]) == ("conversation", f"Seal audit {tag}")
    assert [(r["payload"]["author"], r["payload"]["author_user_id"], r["payload"]["document_id"]) for r in records] == [
        ("contact", company.officer.id, document["id"]), ("scss", cbp.scss.id, None),
        ("contact", company.officer.id, replies[1][2])]
    versions = [r["payload"]["version"] for r in records]
    assert versions == sorted(set(versions))
    # Who wrote, never what: no body field, and none of the words anywhere in the record.
    for record in records:
        assert "body" not in record["payload"]
        assert tag not in json.dumps(record["payload"]).replace(f"Seal audit {tag}", "")
        assert not any(body in json.dumps(record) for _, body, _ in replies)
    print(f"\nPL-03: the replies' MessagePosted reached an outside subscriber within {took:.2f} s of the last reply")
