"""A client reads its own writes across services, however fast it clicks (servicekit.consistency).

Each pair is a write in identity followed at once by a request to
trade-accounts that depends on it, a hundred times over, through the gateway
with nothing but the bearer token: no retries, no sleeps.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

PROFILE = {"salutation": "Ms.", "first_name": "Ana", "last_name": "Lopez", "title": "Compliance Officer",
           "phone": "+1 202 555 0100"}
COMPANY = {"company_information": {"company_name": "Back To Back Imports LLC"}}
QUESTIONS = [{"question_id": i, "answer": f"answer {i}"} for i in (1, 2, 3)]
PAIRS = 100

pytestmark = pytest.mark.system


def new_user(portal: httpx.Client, password: str) -> dict[str, str]:
    email = f"ryw-{uuid.uuid4().hex[:12]}@example.com"
    assert portal.post("/api/identity/users", json={"email": email, "password": password,
                                                    "security_questions": QUESTIONS}).status_code == 201
    tokens = portal.post("/api/identity/sessions", json={"email": email, "password": password}).json()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


@pytest.mark.req("ID-02")
def test_completing_the_profile_then_at_once_creating_a_trade_account_never_asks_for_the_profile(portal, password):
    refused = []
    for _ in range(PAIRS):
        auth = new_user(portal, password)
        assert portal.put("/api/identity/me/profile", json=PROFILE, headers=auth).status_code == 200
        created = portal.post("/api/trade-accounts/trade-accounts", json=COMPANY, headers=auth)
        if created.status_code != 201:
            refused.append((created.status_code, created.text[:200]))
    assert refused == [], f"{len(refused)} of {PAIRS} refused: {refused[:3]}"


@pytest.mark.req("ID-09")
def test_changing_the_email_then_at_once_reading_the_trade_account_shows_the_new_address(portal, password):
    auth = new_user(portal, password)
    assert portal.put("/api/identity/me/profile", json=PROFILE, headers=auth).status_code == 200
    account = portal.post("/api/trade-accounts/trade-accounts", json=COMPANY, headers=auth)
    assert account.status_code == 201, account.text
    stale = []
    for i in range(PAIRS):
        email = f"ryw-{i}-{uuid.uuid4().hex[:8]}@example.com"
        changed = portal.post("/api/identity/me/email", json={"current_password": password, "new_email": email},
                              headers=auth)
        assert changed.status_code == 200, changed.text
        view = portal.get(f"/api/trade-accounts/trade-accounts/{account.json()['id']}", headers=auth).json()
        if [u["email"] for u in view["users"]] != [email]:
            stale.append([u["email"] for u in view["users"]])
    assert stale == [], f"{len(stale)} of {PAIRS} reads were stale: {stale[:3]}"
