"""ID-10 and ID-11 through the running portal: one browser sign-in at the gateway reaches every service.

The browser signs in once (`/auth/login`); with nothing but that session it
reads and changes its identity, creates a Trade Account, and reaches another
organisation's account where it holds another role, with no second sign-in.
The gateway's cookies are Secure, so they travel in an explicit Cookie header,
as a browser on https would send them.
"""

from __future__ import annotations

import time

import httpx
import pytest

PROFILE = {"salutation": "Ms.", "first_name": "Ana", "last_name": "Lopez", "title": "Compliance Officer",
           "phone": "+1 202 555 0100"}


def until(call, accepted, timeout: float = 30.0) -> httpx.Response:
    """Another service learns of a completed profile from an event: retry until it has."""
    deadline = time.monotonic() + timeout
    while True:
        response = call()
        if accepted(response) or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


class BrowserSession:
    def __init__(self, portal: httpx.Client, email: str, password: str) -> None:
        signed_in = portal.post("/auth/login", json={"email": email, "password": password})
        assert signed_in.status_code == 200, signed_in.text
        cookies = {line.split("=", 1)[0]: line.split(";", 1)[0].split("=", 1)[1]
                   for line in signed_in.headers.get_list("set-cookie")}
        self.portal = portal
        self.cookie = f"portal_session={cookies['portal_session']}; portal_csrf={cookies['portal_csrf']}"
        self.csrf = cookies["portal_csrf"]

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"cookie": self.cookie}
        if method != "GET":
            headers["x-csrf-token"] = self.csrf
        return self.portal.request(method, path, headers=headers, **kwargs)


@pytest.mark.system
@pytest.mark.req("ID-10")
@pytest.mark.req("ID-11")
def test_one_sign_in_reaches_identity_and_every_trade_account_with_the_role_held_in_each(
    portal, registered_user, new_email, password
):
    browser = BrowserSession(portal, registered_user["email"], password)

    me = browser.request("GET", "/api/identity/me")
    assert me.status_code == 200 and me.json()["email"] == registered_user["email"]
    assert browser.request("PUT", "/api/identity/me/profile", json=PROFILE).status_code == 200
    own = until(lambda: browser.request("POST", "/api/trade-accounts/trade-accounts",
                                        json={"company_information": {"company_name": "Acme Imports LLC"}}),
                lambda r: r.status_code == 201)
    assert own.status_code == 201, own.text

    # Another company's administrator adds the same person as a plain user.
    other_email = new_email()
    questions = [{"question_id": i, "answer": f"answer {i}"} for i in (1, 2, 3)]
    assert portal.post("/api/identity/users", json={"email": other_email, "password": password,
                                                   "security_questions": questions}).status_code == 201
    other_token = portal.post("/api/identity/sessions", json={"email": other_email, "password": password}).json()
    other_auth = {"Authorization": f"Bearer {other_token['access_token']}"}
    assert portal.put("/api/identity/me/profile", json=PROFILE, headers=other_auth).status_code == 200
    theirs = until(lambda: portal.post("/api/trade-accounts/trade-accounts", headers=other_auth,
                                       json={"company_information": {"company_name": "Beta Freight"}}),
                   lambda r: r.status_code == 201)
    assert theirs.status_code == 201, theirs.text
    added = portal.post(f"/api/trade-accounts/trade-accounts/{theirs.json()['id']}/users", headers=other_auth, json={
        "email": registered_user["email"], "confirm_email": registered_user["email"], **PROFILE, "type": "user"})
    assert added.status_code == 201, added.text

    # The same browser session, no second sign-in: both accounts, a different role in each (ID-11).
    navigation = browser.request("GET", "/api/trade-accounts/navigation")
    assert navigation.status_code == 200, navigation.text
    roles = {a["trade_account_id"]: a["role"] for o in navigation.json() for a in o["accounts"]}
    assert roles == {own.json()["id"]: "company_administrator", theirs.json()["id"]: "user"}
    for account_id, role in roles.items():
        account = browser.request("GET", f"/api/trade-accounts/trade-accounts/{account_id}")
        assert account.status_code == 200 and account.json()["your_role"] == role
    assert browser.request("GET", "/api/identity/me").status_code == 200
