"""Every svi endpoint x every kind of caller (issue 8, section 6).

Callers: anonymous; two contacts of the model (its Officer, and another contact
added by a ContactsChanged with both); a user of the model's Trade Account who
is no contact; the Officer of another company's participating model; and the
model's assigned SCSS.

Only a model's contacts act for it in SVI: they search, ask to be monitored
(SV-03, SV-04) and, on the monitoring side, decide and remove a block (SV-07,
SV-09). Its assigned SCSS reads its two lists (SV-06, SV-08) but neither writes
nor searches (403). Anyone else is told the model, or the request, does not
exist: 404, the very answer an unknown id gets (checked below for every such
cell). The harness (servicekit.testing.authorization) checks each status, that
a refusal is problem+json and that it changed nothing in the database.

Each cell gets a fresh scene, made the way production makes it (trade-accounts'
and ctpat's events through svi's handlers, then svi's API):

- the model, with its Officer, a second contact, a Trade Account user who is no
  contact, and its SCSS;
- a requester, a third partner that asked the model to monitor it (for the
  request-level rows the model is the monitoring side; for block removal the
  model has declined the request);
- a partner the model asked to monitor it, and one it may still ask (the body
  of "request monitoring", and what the search looks for);
- another company's participating model, whose Officer is the stranger.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from svi.api import routes

from portal_events import Envelope
from portal_events.ctpat import ContactEntry, ContactsChanged
from portal_events.trade_accounts import MemberData, TradeAccountUserAdded
from servicekit.testing.authorization import Endpoint, Matrix
from servicekit.testing.junk import Operation

ANON, OFFICER, OTHER_CONTACT, NON_CONTACT, OTHER_COMPANY, SCSS = (
    "anonymous", "officer", "other_contact", "non_contact", "other_company", "scss")
CALLERS = [ANON, OFFICER, OTHER_CONTACT, NON_CONTACT, OTHER_COMPANY, SCSS]
CONTACTS = (OFFICER, OTHER_CONTACT)


def expect(*, contacts: int, scss: int) -> dict[str, int]:
    """Anonymous 401; both contacts `contacts`; the model's strangers 404; its SCSS `scss`."""
    return {ANON: 401, OFFICER: contacts, OTHER_CONTACT: contacts, NON_CONTACT: 404, OTHER_COMPANY: 404, SCSS: scss}


def contacts_act(status: int = 200) -> dict[str, int]:
    """The model's contacts act; its SCSS sees the model but does not act for it."""
    return expect(contacts=status, scss=403)


def seen(status: int = 200) -> dict[str, int]:
    """The model's contacts and its SCSS read."""
    return expect(contacts=status, scss=status)


class WithQuery(Endpoint):
    """A row whose path carries a query string: the route it covers is the path without it."""

    def operation(self) -> Operation:
        return Endpoint(self.method, self.path.split("?", 1)[0], self.expected).operation()


MODEL = "/security-models/{model_id}"
REQUEST = "/monitoring-requests/{request_id}"

MATRIX = Matrix(callers=CALLERS, endpoints={
    "search partners": WithQuery("GET", MODEL + "/partner-search?q={q}", contacts_act(), rule="SV-04"),
    "request monitoring": Endpoint("POST", MODEL + "/monitoring-requests", contacts_act(201), rule="SV-03",
                                   body=lambda scene: {"monitoring_model_ids": [scene["target_id"]]}),
    "partners monitoring you": Endpoint("GET", MODEL + "/partners-monitoring-you", seen(), rule="SV-06"),
    "partners you monitor": Endpoint("GET", MODEL + "/partners-you-monitor", seen(), rule="SV-08"),
    # The request-level rows: the model is the monitoring side of a request a third partner made.
    "decide a request": Endpoint("POST", REQUEST + "/decision", contacts_act(), body={"decision": "accept"},
                                 rule="SV-07"),
    "remove a block": Endpoint("POST", REQUEST + "/block-removal", contacts_act(), rule="SV-09"),
    # Beyond the manual (issue 8 §4).
    "read settings": Endpoint("GET", MODEL + "/svi-settings", seen()),
    "change settings": Endpoint("PUT", MODEL + "/svi-settings", contacts_act(),
                                body={"auto_accept": False, "share_more": True}),
    "certification notice": Endpoint("POST", MODEL + "/certification-notices", contacts_act(202),
                                     body={"email": "buyer@outside.example"}),
    # For a whole company: a contact of none of its models is told nothing of it (404), the SCSS included.
    "request for all models": Endpoint(
        "POST", "/trade-accounts/{trade_account_id}/monitoring-requests", expect(contacts=201, scss=404),
        body=lambda scene: {"monitoring_model_ids": [scene["target_id"]]}, rule="SV-03"),
})


async def _event(partners, handlers, event) -> None:
    """One event through svi's own handler, as its consumer would run it."""
    envelope = Envelope(type=event.event_type, source="test", subject=event.aggregate_id,
                        data=event.model_dump(mode="json"))
    async with partners.runtime.database.transaction() as session:
        await handlers[event.event_type](session, envelope)


async def another_contact(partners, partner):
    """A second user of the model's Trade Account, made a contact (Employee) beside the Officer."""
    person = partners.person()
    partner.account_version += 1
    await _event(partners, partners.accounts, TradeAccountUserAdded(
        trade_account_id=partner.trade_account_id, occurred_at=datetime.now(UTC), version=partner.account_version,
        member=MemberData(member_id=person.member_id, user_id=person.user_id, email=person.email, salutation="Mr.",
                          first_name="Bo", last_name="Chen", title="Security Manager", phone="+1 202 555 0101",
                          type="user", status="active")))
    await partners.model_event(partner, ContactsChanged, contacts=[
        ContactEntry(member_id=partner.officer.member_id, contact_type="officer", primary_poc=True),
        ContactEntry(member_id=person.member_id, contact_type="employee", primary_poc=False)])
    return person


async def _ok(client, method: str, path: str, who, json=None, expected: int = 200):
    response = await client.request(method, path, json=json, headers=who.officer.headers)
    assert response.status_code == expected, f"setting the scene: {method} {path}: {response.text[:300]}"
    return response.json()


@MATRIX.parametrize
async def test_each_caller_gets_exactly_what_they_may(client, partners, fingerprint, endpoint, caller):
    tag = uuid.uuid4().hex[:8]
    model = await partners.partner()
    other_contact = await another_contact(partners, model)
    scss = await partners.assign_scss(model)
    requester, asked = await partners.partner(), await partners.partner()
    target = await partners.partner(f"Zephyr{tag} Freight Lines")
    other = await partners.partner()

    # The requester asked the model to monitor it (the model's "partners you monitor"); the model asked `asked`
    # (its "partners monitoring you"); for block removal the model declined the requester.
    (request,) = await _ok(client, "POST", f"/security-models/{requester.model_id}/monitoring-requests", requester,
                           {"monitoring_model_ids": [str(model.model_id)]}, 201)
    await _ok(client, "POST", f"/security-models/{model.model_id}/monitoring-requests", model,
              {"monitoring_model_ids": [str(asked.model_id)]}, 201)
    if endpoint == "remove a block":
        await _ok(client, "POST", f"/monitoring-requests/{request['id']}/decision", model, {"decision": "decline"})

    people = {OFFICER: model.officer, OTHER_CONTACT: other_contact, NON_CONTACT: model.bystander,
              OTHER_COMPANY: other.officer, SCSS: scss}
    headers = {caller: {} if caller == ANON else people[caller].headers}
    values = {"model_id": str(model.model_id), "request_id": request["id"], "q": f"zephyr{tag}",
              "target_id": str(target.model_id), "trade_account_id": str(model.trade_account_id)}

    row = MATRIX.endpoints[endpoint]
    # The harness compares fingerprints only after a refusal; a cell expecting success skips reading the database.
    response = await MATRIX.check(client, endpoint, caller, headers=headers, values=values,
                                  fingerprint=fingerprint if row.expected[caller] >= 400 else nothing)

    if response.status_code == 200 and endpoint == "search partners":
        assert [r["security_model_id"] for r in response.json()] == [str(target.model_id)], response.text
    if response.status_code == 200 and endpoint == "partners monitoring you":
        assert [r["partner_security_model_id"] for r in response.json()] == [str(asked.model_id)], response.text
    if response.status_code == 200 and endpoint == "partners you monitor":
        assert [r["partner_security_model_id"] for r in response.json()] == [str(requester.model_id)], response.text
    if response.status_code == 200 and endpoint == "decide a request":
        assert response.json()["state"] == "accepted" and response.json()["history"][-1]["by"] == str(
            people[caller].user_id), response.text
    if response.status_code == 200 and endpoint == "remove a block":
        assert response.json()["state"] == "ended", response.text
    if response.status_code == 404:
        # Not revealed: exactly what a model, or a request, that does not exist gets.
        unknown = next(k for k in ("model_id", "request_id", "trade_account_id") if "{" + k + "}" in row.path)
        again = await resend(client, row, {**values, unknown: str(uuid.uuid4()), "caller": caller}, headers[caller])
        assert again.status_code == 404, again.text
        assert _problem(again) == _problem(response), (again.text, response.text)


def _problem(response) -> tuple:
    body = response.json()
    return body.get("type"), body.get("title"), body.get("detail"), body.get("errors")


async def nothing() -> dict:
    return {}


async def resend(client, row: Endpoint, scene: dict, headers):
    """The row's request again, with other values (the harness's own way of filling it)."""
    path = row.path.format(**{k: v for k, v in scene.items() if isinstance(v, str | int)})
    body = row.body(scene) if callable(row.body) else row.body
    return await client.request(row.method, path, json=body, headers=dict(headers))


def test_the_matrix_covers_every_route():
    assert MATRIX.uncovered(routes.router) == set()
