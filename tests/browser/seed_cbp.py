"""What the CBP screens' tests stand on, made through the gateway's API: the partner's side of each flow
(an annual review submitted, a validation answered, a message sent, an operation or a split requested),
so the browser only walks the staff's side."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import httpx

from tests.browser.seed import Application, Seed, User


@dataclass
class Staff:
    scss: User
    other_scss: User
    management: User
    admin: User


def make_staff(gateway_url: str, roles: list[str]) -> dict[str, str]:
    """Staff of these roles made at once (each is a command-line run of some seconds): email by role, the
    second of a role as `other_<role>`."""
    with httpx.Client(base_url=gateway_url, timeout=30) as client, ThreadPoolExecutor(len(roles)) as pool:
        made = list(pool.map(Seed(client).staff, roles))
    emails: dict[str, str] = {}
    for role, user in zip(roles, made, strict=True):
        emails[f"other_{role}" if role in emails else role] = f"{user.id} {user.email}"
    return emails


def signed_in_staff(seed: Seed, emails: dict[str, str]) -> Staff:
    """The module's staff with fresh tokens (an access token lasts minutes)."""
    users = {}
    for key, value in emails.items():
        user_id, email = value.split(" ", 1)
        users[key] = User(email, user_id, seed.sign_in(email))
    return Staff(**users)


def _created(response: httpx.Response) -> dict | None:
    return response.json() if response.status_code == 201 else None


def certified_review_submitted(seed: Seed, scss: User, management: User) -> tuple[Application, int]:
    """A certified importer whose annual review (due in 30 days) the Officer affirmed and submitted."""
    app = seed.certified(scss, management, svi=False)
    base = f"/api/ctpat/security-models/{app.model_id}"
    due = date.today() + timedelta(days=30)
    seed.call("PUT", f"{base}/anniversary", management, json={
        "anniversary_date": due.replace(year=due.year - 1).isoformat(), "reason": "Aligned with the validation."})
    # ctpat's scheduler opens the window (every few seconds here).
    reviews = seed.until("the annual review window to open",
                         lambda: seed.call("GET", f"{base}/annual-reviews", app.owner), timeout=60)
    year = reviews[0]["review_year"]
    profile = seed.call("GET", f"{base}/profile", app.owner)
    for criterion in (c for category in profile["categories"] for c in category["criteria"]):
        seed.call("PUT", f"{base}/annual-reviews/{year}/affirmations/{criterion['id']}", app.owner,
                  json={"affirmed": True})
    seed.call("POST", f"{base}/annual-reviews/{year}/submission", app.owner)
    return app, year


def validation_answered(seed: Seed, app: Application, scss: User) -> dict:
    """A validation the SCSS recorded and the Officer answered item by item and submitted."""
    base = f"/api/ctpat/security-models/{app.model_id}"
    validation = seed.call("POST", f"{base}/validations", scss, json={
        "validation_date": date.today().isoformat(), "result": "meets", "report": "Site visit; seals audited.",
        "recommendations": ["Log seal numbers electronically."], "actions_required": ["Repair the east fence."]})
    for item in validation["items"]:
        seed.call("PUT", f"{base}/validations/{validation['id']}/items/{item['id']}/reply", app.owner,
                  json={"reply": f"Done for: {item['text']}"})
    return seed.call("POST", f"{base}/validations/{validation['id']}/response", app.owner)


def message_to_scss(seed: Seed, app: Application, subject: str) -> dict:
    """The Officer writes to the model's SCSS (messaging hears of the model and its SCSS by events)."""
    path = f"/api/messaging/security-models/{app.model_id}/threads"
    headers = {"authorization": f"Bearer {app.owner.token}"}
    body = {"subject": subject, "body": "Our new seal supplier starts next month."}
    return seed.until("messaging to know the Security Model",
                      lambda: _created(seed.client.post(path, json=body, headers=headers)))


def eligible(business_type: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The first eligible answer to each question, and an example of each identifier the type needs."""
    from ctpat.catalogue import current

    catalogue = current()
    spec = catalogue.business_type(business_type)
    answers = {q.id: next(c.value for c in q.choices if not c.ineligible) for q in spec.questions}
    identifiers = {code: [catalogue.identifier_kinds[code].formats[0].example] for code in spec.identifiers}
    return answers, identifiers


def expand_requested(seed: Seed, name: str | None = None) -> tuple[Application, dict]:
    """An importer's application whose Officer asked to add Highway Carrier (Management decides)."""
    app = seed.application(name=name)
    answers, identifiers = eligible("highway_carrier")
    operation = seed.call("POST", f"/api/ctpat/security-models/{app.model_id}/operations", app.owner, json={
        "kind": "expand", "reason": "Our trucks cross at Laredo under the same procedures.",
        "business_types": ["highway_carrier"], "eligibility_answers": answers, "identifiers": identifiers})
    return app, operation


def split_moving_the_model(seed: Seed, new_name: str) -> tuple[Application, dict]:
    """A split of the applicant's Trade Account that moves its Security Model: Management must approve."""
    app = seed.application()
    headers = {"authorization": f"Bearer {app.owner.token}"}
    body = {"source_id": app.account["id"], "new_company_name": new_name, "security_model_ids": [app.model_id],
            "reason": "The trucking division becomes its own company next quarter."}
    # trade-accounts hears of the Security Model by ctpat's event.
    request = seed.until("trade-accounts to know the Security Model", lambda: _created(
        seed.client.post("/api/trade-accounts/trade-account-requests/split", json=body, headers=headers)))
    return app, request
