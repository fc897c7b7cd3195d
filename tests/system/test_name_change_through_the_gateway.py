"""Asking CBP for a new company name, through the gateway, with the real services around it.

The manual's Company Information: "to change the company name, you must contact your assigned SCSS". A Trade
Account's Company Administrator asks in messaging; the request goes to the SCSS assigned to one of the account's
Security Models (or, with none, to CBP Management's mailbox); the SCSS changes the name in trade-accounts, and
messaging, hearing CompanyInformationChanged, closes the request with a word from the portal.

messaging knows the account's members, its name and its SCSS only from trade-accounts' and ctpat's events, so
every first read of them is polled, bounded. The helpers are those of test_messaging_through_the_gateway.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "Harbor#Crane42"
PROFILE = {"salutation": "Ms.", "first_name": "Ana", "last_name": "Lopez", "title": "Compliance Officer",
           "phone": "+1 202 555 0100"}
ADDRESS = {"type": "headquarters", "street_line_1": "1 Port Blvd", "city": "Laredo", "country": "US", "state": "TX",
           "postal_code": "78040"}
ANSWERS = {"imp_active_importer": "yes", "imp_staffed_office": "united_states", "imp_ior_and_bond": "yes",
           "imp_security_officer": "yes"}
MESSAGING = "/api/messaging"
TRADE_ACCOUNTS = "/api/trade-accounts/trade-accounts"
CTPAT = "/api/ctpat"
# Seconds for another service's event to reach messaging: generous, since the test only ever polls up to it.
EVENT_LIMIT = 30.0
# Seconds for messaging to hear that the asker is a member of the account (TradeAccountUserAdded).
MEMBER_LIMIT = 15.0
REASON = "We rebranded after the merger; the amended registration is on file."

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
    email = f"name-{uuid.uuid4().hex[:10]}@example.com"
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
    management: Person


@pytest.fixture(scope="module")
def cbp(gateway_url: str) -> Cbp:
    """The module's CBP staff: made once, since the command line costs a process start each."""
    with httpx.Client(base_url=gateway_url, timeout=30) as portal:
        return Cbp(_staff(portal, "scss"), _staff(portal, "management"))


@dataclass(frozen=True)
class Company:
    administrator: Person  # the account's creator: its Company Administrator, and the model's Officer
    account_id: str
    name: str
    model_id: str


def _importer(portal: httpx.Client, tag: str) -> Company:
    """A Trade Account with an importer Security Model (the importer journey's way)."""
    officer = _trade_user(portal)
    name = f"Harbor Names {tag} LLC"
    account = _call(portal, "POST", TRADE_ACCOUNTS, officer.token, expect=201,
                    body={"company_information": {"company_name": name}}).json()
    address = _call(portal, "POST", f"{TRADE_ACCOUNTS}/{account['id']}/addresses", officer.token, expect=201,
                    body=ADDRESS).json()
    model = _call(portal, "POST", f"{CTPAT}/security-models", officer.token, expect=201, body={
        "trade_account_id": account["id"], "business_type": "importer", "eligibility_answers": ANSWERS,
        "identifiers": {"ior": ["12-3456789"]}, "applicant_contact_type": "officer"}).json()
    _call(portal, "PUT", f"{CTPAT}/security-models/{model['id']}/addresses", officer.token,
          body={"addresses": [{"address_id": address["id"], "primary": True, "mailing": True}]})
    return Company(officer, account["id"], name, model["id"])


def _assign_scss(portal: httpx.Client, company: Company, management: Person, scss: Person) -> None:
    """Management assigns the model's SCSS in ctpat (which hears of new staff from identity, hence the wait)."""
    _until("the SCSS to be known to ctpat", lambda: _status(
        portal, "PUT", f"{CTPAT}/security-models/{company.model_id}/scss", management.token,
        {"scss_user_id": scss.id}) == 200)


def _account_user(portal: httpx.Client, company: Company) -> Person:
    """A second person made a plain user (no administrator) of the account, active."""
    person = _trade_user(portal)
    # Their own request waits until trade-accounts knows them (read-your-writes): they are added as active.
    _call(portal, "GET", "/api/trade-accounts/navigation", person.token)
    member = _call(portal, "POST", f"{TRADE_ACCOUNTS}/{company.account_id}/users", company.administrator.token,
                   expect=201,
                   body={"email": person.email, "confirm_email": person.email, **PROFILE, "type": "user"}).json()
    assert (member["status"], member["type"]) == ("active", "user"), member
    return person


def _ask(portal: httpx.Client, company: Company, who: Person, requested_name: str) -> httpx.Response:
    """POST a name change request. Until messaging has heard (TradeAccountUserAdded) that `who` is a member of the
    account it answers 404, as to a stranger: that answer (and only it) is retried, for MEMBER_LIMIT seconds."""
    path = f"{MESSAGING}/trade-accounts/{company.account_id}/name-change-requests"
    give_up = time.monotonic() + MEMBER_LIMIT
    while True:
        response = portal.post(path, headers={"Authorization": f"Bearer {who.token}"},
                               json={"requested_name": requested_name, "reason": REASON})
        if response.status_code != 404 or time.monotonic() >= give_up:
            return response
        time.sleep(0.1)


def _inbox_row(portal: httpx.Client, who: Person, thread_id: str) -> dict | None:
    items = _call(portal, "GET", f"{MESSAGING}/inbox", who.token, params={"limit": 200}).json()["items"]
    return next((t for t in items if t["id"] == thread_id), None)


def _requests_of(portal: httpx.Client, who: Person, company: Company) -> list[str]:
    """The name change requests of the account in someone's inbox."""
    items = _call(portal, "GET", f"{MESSAGING}/inbox", who.token, params={"limit": 200}).json()["items"]
    return [t["id"] for t in items if t["kind"] == "name_change" and t["trade_account_id"] == company.account_id]


def _thread(portal: httpx.Client, who: Person, thread_id: str) -> dict:
    return _call(portal, "GET", f"{MESSAGING}/threads/{thread_id}", who.token).json()


def test_an_administrator_asks_the_scss_for_a_new_name_and_the_rename_closes_the_request(portal, cbp):
    tag = uuid.uuid4().hex[:6]
    company = _importer(portal, tag)
    _assign_scss(portal, company, cbp.management, cbp.scss)
    plain_user = _account_user(portal, company)
    requested = f"Harbor Names {tag} Worldwide LLC"

    # The administrator asks, as soon as messaging knows them.
    started = time.monotonic()
    asked = _ask(portal, company, company.administrator, requested)
    ask_took = time.monotonic() - started
    assert asked.status_code == 201, f"{asked.status_code} {asked.text[:500]}"
    thread = asked.json()
    assert (thread["kind"], thread["status"], thread["subject"]) == (
        "name_change", "open", f"Company name change: {requested}")
    assert (thread["security_model_id"], thread["trade_account_id"]) == (None, company.account_id)
    (first,) = thread["messages"]
    assert (first["author"], first["author_user_id"], first["attachment"]) == (
        "contact", company.administrator.id, None)
    assert f"from \"{company.name}\" to \"{requested}\"" in first["body"] and REASON in first["body"]

    # The SCSS's inbox, unread for them. (Should messaging not yet have applied ScssAssigned when the request was
    # made, it went to the mailbox and moves to the SCSS when it is: hence polled.)
    started = time.monotonic()
    row = _until("the request in the SCSS's inbox", lambda: _inbox_row(portal, cbp.scss, thread["id"]))
    inbox_took = time.monotonic() - started
    assert (row["kind"], row["status"], row["subject"], row["unread"], row["message_count"]) == (
        "name_change", "open", f"Company name change: {requested}", True, 1)
    assert (row["trade_account_id"], row["security_model_id"], row["company_name"]) == (
        company.account_id, None, company.name)
    assert _inbox_row(portal, company.administrator, thread["id"])["unread"] is False  # one's own: read
    assert _inbox_row(portal, cbp.management, thread["id"]) is None  # it went to the SCSS, not the mailbox

    # A plain user of the account may not ask (403), once messaging knows them as a member (404 until then), and
    # does not see the administrators' request.
    started = time.monotonic()
    refused = _ask(portal, company, plain_user, f"Harbor Names {tag} Plain LLC")
    refuse_took = time.monotonic() - started
    assert refused.status_code == 403, f"{refused.status_code} {refused.text[:500]}"
    _call(portal, "GET", f"{MESSAGING}/threads/{thread['id']}", plain_user.token, expect=404)
    assert _requests_of(portal, plain_user, company) == []
    # One open request per account: a second one is refused, naming the account.
    again = _ask(portal, company, company.administrator, f"Harbor Names {tag} Again LLC")
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "trade_account_id", again.text
    assert _requests_of(portal, cbp.scss, company) == [thread["id"]]
    assert len(_thread(portal, cbp.scss, thread["id"])["messages"]) == 1

    # The SCSS changes the name in trade-accounts (only the account's SCSS may, once trade-accounts has heard of
    # the assignment from ctpat: hence polled).
    _until("the SCSS to rename the account", lambda: _status(
        portal, "PUT", f"{TRADE_ACCOUNTS}/{company.account_id}/company-information", cbp.scss.token,
        {"company_name": requested}) == 200)
    renamed = time.monotonic()
    closed = _until("the request to close", lambda: (
        shown if (shown := _thread(portal, company.administrator, thread["id"]))["status"] == "closed" else None))
    close_took = time.monotonic() - renamed
    assert [(m["sequence"], m["author"], m["author_user_id"]) for m in closed["messages"]] == [
        (2, "system", None), (1, "contact", company.administrator.id)]
    assert closed["messages"][0]["body"] == (
        f"CBP changed the company name from \"{company.name}\" to \"{requested}\". This request is closed.")
    row = _inbox_row(portal, cbp.scss, thread["id"])
    assert (row["status"], row["message_count"], row["unread"], row["company_name"]) == (
        "closed", 2, True, requested)

    # A closed request takes no more messages, from either side; nothing is added.
    for who in (company.administrator, cbp.scss):
        reply = portal.post(f"{MESSAGING}/threads/{thread['id']}/messages",
                            headers={"Authorization": f"Bearer {who.token}"}, json={"body": "Thank you!"})
        assert reply.status_code == 409, f"{reply.status_code} {reply.text[:500]}"
    assert [m["sequence"] for m in _thread(portal, company.administrator, thread["id"])["messages"]] == [2, 1]
    print(f"\nname change: accepted {ask_took:.2f} s after the first try; in the SCSS's inbox {inbox_took:.2f} s "
          f"later; the plain user's 403 {refuse_took:.2f} s after their first try; closed {close_took:.2f} s after "
          f"the rename")


def test_with_no_scss_the_request_reaches_managements_mailbox_until_an_scss_is_assigned(portal, cbp):
    tag = uuid.uuid4().hex[:6]
    company = _importer(portal, tag)  # its model has no SCSS yet
    requested = f"Harbor Names {tag} Pacific LLC"

    # The name it has already is no request (messaging knows it from trade-accounts' TradeAccountCreated).
    started = time.monotonic()
    same = _ask(portal, company, company.administrator, company.name)
    assert same.status_code == 422 and [e["field"] for e in same.json()["errors"]] == ["requested_name"], same.text
    asked = _ask(portal, company, company.administrator, requested)
    ask_took = time.monotonic() - started
    assert asked.status_code == 201, f"{asked.status_code} {asked.text[:500]}"
    thread = asked.json()

    # The program's mailbox: any Management user's inbox, unread; an SCSS not assigned to the account sees nothing.
    row = _inbox_row(portal, cbp.management, thread["id"])
    assert row is not None, "the request is not in Management's inbox"
    assert (row["kind"], row["status"], row["unread"], row["company_name"], row["trade_account_id"]) == (
        "name_change", "open", True, company.name, company.account_id)
    assert _inbox_row(portal, cbp.scss, thread["id"]) is None
    _call(portal, "GET", f"{MESSAGING}/threads/{thread['id']}", cbp.scss.token, expect=404)
    answer = "An SCSS will be assigned to your account shortly."
    replied = _call(portal, "POST", f"{MESSAGING}/threads/{thread['id']}/messages", cbp.management.token,
                    expect=201, body={"body": answer}).json()
    assert [(m["author"], m["author_user_id"]) for m in replied["messages"]] == [
        ("management", cbp.management.id), ("contact", company.administrator.id)]

    # An SCSS assigned in ctpat takes the open request over (messaging hears ScssAssigned).
    _assign_scss(portal, company, cbp.management, cbp.scss)
    assigned = time.monotonic()
    _until("the request to move to the SCSS", lambda: _inbox_row(portal, cbp.scss, thread["id"]))
    move_took = time.monotonic() - assigned
    assert _inbox_row(portal, cbp.management, thread["id"]) is None
    _call(portal, "GET", f"{MESSAGING}/threads/{thread['id']}", cbp.management.token, expect=404)
    assert _thread(portal, cbp.scss, thread["id"])["messages"][0]["body"] == answer
    print(f"\nname change to the mailbox: accepted {ask_took:.2f} s after the first try; "
          f"with the SCSS {move_took:.2f} s after the assignment")
