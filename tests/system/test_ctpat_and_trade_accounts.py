"""Real Security Models, made through ctpat, in trade-accounts' rules (issue 7 §6): the system-level twins of the
trade-accounts tests that inject Security Model facts by hand.

- TA-11: a link where either account holds a C-TPAT Security Model needs Management's approval too.
- TA-13: a split that moves a Security Model moves the real model: ctpat follows and says so.
- ID-09: a contact's new email reaches the C-TPAT account that lists them.

No sleeping to let events arrive: the gateway makes each caller's next request wait until the services it goes
to have applied that caller's own writes (read-your-writes); only what another caller did is polled for.
"""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

PASSWORD = "Harbor#Crane42"
PROFILE = {"salutation": "Mr.", "first_name": "Bo", "last_name": "Chen", "title": "Director of Compliance",
           "phone": "+1 305 555 0199"}
ADDRESS = {"type": "headquarters", "street_line_1": "1 Port Blvd", "city": "Laredo", "country": "US", "state": "TX",
           "postal_code": "78040"}
IMPORTER_ANSWERS = {"imp_active_importer": "yes", "imp_staffed_office": "united_states", "imp_ior_and_bond": "yes",
                    "imp_security_officer": "yes"}

pytestmark = [pytest.mark.system, pytest.mark.timeout(180)]


def _call(portal: httpx.Client, method: str, path: str, token: str, *, expect: int = 200, body=None) -> dict:
    give_up = time.monotonic() + 30
    while True:
        response = portal.request(method, path, headers={"Authorization": f"Bearer {token}"}, json=body)
        if response.status_code == 409 and "retry-after" in response.headers and time.monotonic() < give_up:
            time.sleep(0.2)
            continue
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response.json() if response.content else {}


def _until(what: str, check, timeout: float = 60.0):
    give_up = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < give_up, f"timed out waiting for {what}"
        time.sleep(0.25)
    return result


def _sign_in(portal: httpx.Client, email: str) -> str:
    response = portal.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return response.json()["access_token"]


def _officer(portal: httpx.Client) -> tuple[str, str]:
    email = f"twin-{uuid.uuid4().hex[:10]}@example.com"
    questions = [{"question_id": i, "answer": f"answer {i}"} for i in (1, 2, 3)]
    assert portal.post("/api/identity/users", json={"email": email, "password": PASSWORD,
                                                    "security_questions": questions}).status_code == 201
    token = _sign_in(portal, email)
    _call(portal, "PUT", "/api/identity/me/profile", token, body=PROFILE)
    return email, token


def _management(portal: httpx.Client) -> str:
    import os
    import subprocess
    import sys
    from pathlib import Path

    email = f"management-{uuid.uuid4().hex[:8]}@cbp.example"
    subprocess.run([sys.executable, "-m", "identity", "create-staff", email, "--role", "management",
                    "--password-stdin"], input=PASSWORD + "\n", text=True, check=True, capture_output=True,
                   env=os.environ.copy(), cwd=Path(__file__).resolve().parents[2], timeout=60)
    return _sign_in(portal, email)


def _account_with_model(portal: httpx.Client, token: str, name: str) -> tuple[dict, dict]:
    account = _call(portal, "POST", "/api/trade-accounts/trade-accounts", token, expect=201,
                    body={"company_information": {"company_name": name}})
    _call(portal, "POST", f"/api/trade-accounts/trade-accounts/{account['id']}/addresses", token, expect=201,
          body=ADDRESS)
    model = _call(portal, "POST", "/api/ctpat/security-models", token, expect=201, body={
        "trade_account_id": account["id"], "business_type": "importer", "eligibility_answers": IMPORTER_ANSWERS,
        "identifiers": {"ior": ["12-3456789"]}, "applicant_contact_type": "officer"})
    return account, model


@pytest.mark.req("TA-11")
def test_a_real_security_model_makes_a_link_need_management(portal):
    _, officer = _officer(portal)
    parent = _call(portal, "POST", "/api/trade-accounts/trade-accounts", officer, expect=201,
                   body={"company_information": {"company_name": "Harbor Holdings"}})
    subsidiary, _ = _account_with_model(portal, officer, "Harbor Imports")

    # trade-accounts hears of the model from ctpat's SecurityModelCreated; this caller's request waits for it.
    request = _call(portal, "POST", "/api/trade-accounts/trade-account-requests/link", officer, expect=201, body={
        "requesting_account_id": parent["id"], "parent_id": parent["id"], "subsidiary_id": subsidiary["id"],
        "reason": "Harbor Imports is a wholly owned subsidiary of Harbor Holdings."})

    assert "management" in {a["kind"] for a in request["approvals"]}


@pytest.mark.req("TA-13")
def test_a_trade_account_split_moves_a_real_model_and_ctpat_follows(portal):
    email, officer = _officer(portal)
    management = _management(portal)
    account, model = _account_with_model(portal, officer, "Harbor Imports and Exports")
    request = _call(portal, "POST", "/api/trade-accounts/trade-account-requests/split", officer, expect=201, body={
        "source_id": account["id"], "new_company_name": "Harbor Exports", "security_model_ids": [model["id"]],
        "reason": "The export division becomes a company of its own."})
    assert "management" in {a["kind"] for a in request["approvals"]}

    decided = _call(portal, "POST", f"/api/trade-accounts/trade-account-requests/{request['id']}/decision",
                    management, body={"decision": "approved"})
    assert decided["status"] == "completed", decided

    moved = _until("ctpat to follow the split", lambda: (
        m if (m := _call(portal, "GET", f"/api/ctpat/security-models/{model['id']}", officer))["trade_account_id"]
        != account["id"] else None))
    assert moved["company_name"] == "Harbor Exports"
    assert moved["contacts"][0]["email"] == email  # the officer's membership was copied under the same id


@pytest.mark.req("ID-09")
def test_a_contacts_new_email_reaches_the_c_tpat_account(portal):
    _, officer = _officer(portal)
    _, model = _account_with_model(portal, officer, "Harbor Email Co")
    new_email = f"renamed-{uuid.uuid4().hex[:10]}@example.com"
    _call(portal, "POST", "/api/identity/me/email", officer, body={"new_email": new_email,
                                                                    "current_password": PASSWORD})
    shown = _until("the new email to reach ctpat", lambda: (
        m if (m := _call(portal, "GET", f"/api/ctpat/security-models/{model['id']}", officer))["contacts"][0]
        ["email"] == new_email else None))
    assert shown["contacts"][0]["email"] == new_email
