"""What a browser test needs to exist before it starts, made through the gateway's API.

The flow under test is walked in the browser; everything it stands on (a
user, a Trade Account, staff) is made here with plain API calls, as quickly
as the services allow.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "Harbor#Crane42"
ANSWERS = [{"question_id": i, "answer": f"answer {i}"} for i in (1, 2, 3)]


@dataclass
class User:
    email: str
    id: str
    token: str
    password: str = PASSWORD


IMPORTER_ELIGIBILITY = {"imp_active_importer": "yes", "imp_staffed_office": "united_states",
                        "imp_ior_and_bond": "yes", "imp_security_officer": "yes"}


@dataclass
class Application:
    owner: User
    account: dict
    model_id: str


def tag() -> str:
    return uuid.uuid4().hex[:10]


class Seed:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def call(self, method: str, path: str, user: User | None = None, *, expect: int | tuple = (200, 201, 202, 204),
             **kwargs: Any) -> Any:
        """One API call as `user`; a 409 with Retry-After (another service has not caught up yet) is
        tried again for up to 30 s."""
        headers = {"authorization": f"Bearer {user.token}"} if user else {}
        give_up = time.monotonic() + 30
        while True:
            response = self.client.request(method, path, headers=headers, **kwargs)
            if response.status_code == 409 and "retry-after" in response.headers and time.monotonic() < give_up:
                time.sleep(0.2)
                continue
            break
        wanted = (expect,) if isinstance(expect, int) else expect
        assert response.status_code in wanted, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def sign_in(self, email: str, password: str = PASSWORD) -> str:
        return self.call("POST", "/api/identity/sessions", json={"email": email, "password": password})["access_token"]

    def trade_user(self, *, profile: bool = True, prefix: str = "web") -> User:
        email = f"{prefix}-{tag()}@example.com"
        created = self.call("POST", "/api/identity/users",
                            json={"email": email, "password": PASSWORD, "security_questions": ANSWERS})
        user = User(email, created["id"], self.sign_in(email))
        if profile:
            self.call("PUT", "/api/identity/me/profile", user, json={
                "salutation": "Ms.", "first_name": "Dana", "last_name": "Whitfield",
                "title": "Trade Compliance Manager", "phone": "+1 202 555 0142",
            })
        return user

    def staff(self, role: str) -> User:
        email = f"{role}-{tag()}@cbp.example"
        out = subprocess.run(
            [sys.executable, "-m", "identity", "create-staff", email, "--role", role, "--password-stdin"],
            input=PASSWORD, capture_output=True, text=True, check=True,
        ).stdout
        return User(email, out.rsplit("id=", 1)[1].strip(), self.sign_in(email))

    def trade_account(self, owner: User, name: str | None = None) -> dict:
        name = name or f"Harbor {tag()} Imports"
        return self.call("POST", "/api/trade-accounts/trade-accounts", owner, json={
            "company_information": {"company_name": name},
        })

    def address(self, owner: User, account: dict) -> dict:
        return self.call("POST", f"/api/trade-accounts/trade-accounts/{account['id']}/addresses", owner, json={
            "type": "headquarters", "street_line_1": "1 Port Blvd", "city": "Laredo", "country": "US",
            "state": "TX", "postal_code": "78040"})

    def application(self, owner: User | None = None, name: str | None = None) -> Application:
        """An importer's C-TPAT application in draft: Trade Account, headquarters, Security Model."""
        owner = owner or self.trade_user()
        account = self.trade_account(owner, name)
        address = self.address(owner, account)
        model = self.call("POST", "/api/ctpat/security-models", owner, json={
            "trade_account_id": account["id"], "business_type": "importer",
            "eligibility_answers": IMPORTER_ELIGIBILITY, "identifiers": {"ior": ["12-3456789"]},
            "applicant_contact_type": "officer"})
        self.call("PUT", f"/api/ctpat/security-models/{model['id']}/addresses", owner,
                  json={"addresses": [{"address_id": address["id"], "primary": True, "mailing": True}]})
        return Application(owner, account, model["id"])

    def answer_every_criterion(self, app: Application) -> None:
        base = f"/api/ctpat/security-models/{app.model_id}"
        profile = self.call("GET", f"{base}/profile", app.owner)
        for criterion in (c for category in profile["categories"] for c in category["criteria"]):
            body = ({"not_applicable": True, "reason": "Evidence follows at validation."}
                    if criterion["evidence_required"] else {"response": f"Written procedure for {criterion['id']}."})
            self.call("PUT", f"{base}/profile/{criterion['id']}", app.owner, json=body)

    def assign_scss(self, app: Application, scss: User, management: User) -> None:
        path = f"/api/ctpat/security-models/{app.model_id}/scss"
        self.until("the SCSS to be known to ctpat", lambda: self.client.put(
            path, json={"scss_user_id": scss.id},
            headers={"authorization": f"Bearer {management.token}"}).status_code == 200)

    def agreement_versions(self, user: User) -> dict[str, str]:
        catalogue = self.call("GET", "/api/ctpat/catalogue", user)
        return {a["agreement"]: a["version"] for a in catalogue["agreements"]}

    def submitted(self, scss: User, management: User, name: str | None = None) -> Application:
        """An application answered in full, with its SCSS, submitted for review."""
        app = self.application(name=name)
        self.answer_every_criterion(app)
        self.assign_scss(app, scss, management)
        self.call("POST", f"/api/ctpat/security-models/{app.model_id}/submission", app.owner, json={
            "agreement_version": self.agreement_versions(app.owner)["partner"], "signer_name": "Dana Whitfield"})
        return app

    def certified(self, scss: User, management: User, name: str | None = None, *, svi: bool = True) -> Application:
        """Submitted, approved by its SCSS (Certified), and with the SVI agreement signed."""
        app = self.submitted(scss, management, name)
        self.call("POST", f"/api/ctpat/security-models/{app.model_id}/review", scss, json={"decision": "approve"})
        if svi:
            self.call("POST", f"/api/ctpat/security-models/{app.model_id}/agreements", app.owner, json={
                "agreement": "svi", "agreement_version": self.agreement_versions(app.owner)["svi"],
                "signer_name": "Dana Whitfield"})
        return app

    def until(self, what: str, check: Callable[[], Any], timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.1)


def mail_to(email: str, timeout: float = 30.0) -> str:
    """The text of the newest mail the local SMTP sink received for `email`."""
    import os
    from email import message_from_bytes
    from email.policy import default
    from pathlib import Path

    folder = Path(os.environ["PORTAL_MAIL_DIR"])
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for path in folder.glob("*.eml"):
            message = message_from_bytes(path.read_bytes(), policy=default)
            if message["To"] == email:
                found.append((path.stat().st_mtime, message))
        if found:
            newest = max(found, key=lambda pair: pair[0])[1]
            body = newest.get_body(preferencelist=("plain", "html"))
            return body.get_content() if body is not None else newest.get_content()
        assert time.monotonic() < deadline, f"no mail reached {email}"
        time.sleep(0.2)
