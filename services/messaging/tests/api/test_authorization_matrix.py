"""Every messaging endpoint x every kind of caller (MSG-01; the inbox, MSG-02).

Callers: anonymous; the model's contact (its Officer) and a second contact of
the same model; the Officer of another company's model (a contact, of another
model); a user of the model's Trade Account who is no contact (the bystander);
the model's assigned SCSS, another SCSS; Management; and an Admin.

Who takes part in a model's messages (domain/policies.py): its contacts and its
assigned SCSS read its threads, start them and reply (MSG-01). To anyone else
the model and its threads do not exist: 404, the very answer an unknown id gets
(checked below for every such cell), CBP staff other than the model's SCSS
included. The inbox answers everyone signed in, and lists only their own
threads (MSG-02). The harness (servicekit.testing.authorization) checks each
status, that a refusal is problem+json and that it changed nothing in the
database.

Each cell gets a fresh scene, made the way production makes it (trade-accounts',
ctpat's and documents' events through messaging's handlers, then messaging's
API): the model with its Officer, a second contact, the bystander and its SCSS;
a document in its Partner Library; the annual review window opened (a system
thread), then a thread the Officer started; and another company's model whose
Officer started a thread of its own there, so that the strangers' inboxes are
not empty, only without the model's threads.
"""

from __future__ import annotations

import uuid
from datetime import date

from messaging.api import routes

from servicekit.auth import StaffRole
from servicekit.testing.authorization import Endpoint, Matrix

ANON, CONTACT, SECOND_CONTACT, OTHER_MODEL_CONTACT, BYSTANDER, SCSS, OTHER_SCSS, MANAGEMENT, ADMIN = (
    "anonymous", "contact", "second_contact", "other_model_contact", "bystander", "scss", "other_scss",
    "management", "admin")
CALLERS = [ANON, CONTACT, SECOND_CONTACT, OTHER_MODEL_CONTACT, BYSTANDER, SCSS, OTHER_SCSS, MANAGEMENT, ADMIN]
PARTICIPANTS = (CONTACT, SECOND_CONTACT, SCSS)
# The ids a 404 is compared against: whichever the row's path names is replaced by one nothing has.
IDS = ("model_id", "thread_id", "system_thread_id", "trade_account_id")


def participants(status: int = 200) -> dict[str, int]:
    """MSG-01: the model's contacts and its SCSS get `status`; anyone else signed in is told nothing exists."""
    return dict.fromkeys(CALLERS, 404) | {ANON: 401} | dict.fromkeys(PARTICIPANTS, status)


def signed_in(status: int = 200) -> dict[str, int]:
    return dict.fromkeys(CALLERS, status) | {ANON: 401}


def thread_rows(placeholder: str, what: str) -> dict[str, Endpoint]:
    """Reading, answering and marking read one thread: the same rule for a conversation and a system thread."""
    thread = "/threads/{" + placeholder + "}"
    return {
        f"read {what}": Endpoint("GET", thread, participants(), rule="MSG-01"),
        f"reply to {what}": Endpoint("POST", thread + "/messages", participants(201), rule="MSG-01",
                                     body=lambda scene: {"body": f"Answer from {scene['caller']}"}),
        f"mark {what} read": Endpoint("POST", thread + "/read", participants(204), rule="MSG-01"),
    }


MODEL_THREADS = "/security-models/{model_id}/threads"
SETTINGS = "/me/notification-settings"

MATRIX = Matrix(callers=CALLERS, endpoints={
    "list the model's threads": Endpoint("GET", MODEL_THREADS, participants(), rule="MSG-01"),
    "start a thread": Endpoint("POST", MODEL_THREADS, participants(201), rule="MSG-01",
                               body={"subject": "Seal audit question", "body": "When is the seal audit due?"}),
    "start a thread with a document": Endpoint(
        "POST", MODEL_THREADS, participants(201), rule="MSG-01",
        body=lambda scene: {"subject": "Seal log attached", "body": "Here is this quarter's seal log.",
                            "document_id": scene["document_id"]}),
    "inbox": Endpoint("GET", "/inbox", signed_in(), rule="MSG-02"),
    # The manual's Company Information: a Company Administrator (the Officer created the account) asks CBP for a
    # new company name; the account's other users may not (403); to anyone else the account does not exist.
    "ask CBP for a new company name": Endpoint(
        "POST", "/trade-accounts/{trade_account_id}/name-change-requests",
        dict.fromkeys(CALLERS, 404) | {ANON: 401, CONTACT: 201, SECOND_CONTACT: 403, BYSTANDER: 403},
        body={"requested_name": "Acme Global Logistics", "reason": "Rebranded."}),
    **thread_rows("thread_id", "a thread"),
    **thread_rows("system_thread_id", "a system thread"),
    # Each user's own choice of e-mailed notices (beyond the manual): anyone signed in, about themselves only.
    "my notification settings": Endpoint("GET", SETTINGS, signed_in()),
    "choose my notification settings": Endpoint("PUT", SETTINGS, signed_in(), body={"email_notices": False}),
})


async def _started(client, company, who, subject: str) -> str:
    response = await client.post(f"/security-models/{company.model_id}/threads", headers=who.headers,
                                 json={"subject": subject, "body": "Opening the conversation."})
    assert response.status_code == 201, f"setting the scene: {response.text[:300]}"
    return response.json()["id"]


async def _system_thread(client, company) -> str:
    response = await client.get(f"/security-models/{company.model_id}/threads", headers=company.officer.headers)
    assert response.status_code == 200, f"setting the scene: {response.text[:300]}"
    (system,) = [t["id"] for t in response.json()["items"] if t["kind"] == "system"]
    return system


@MATRIX.parametrize
async def test_each_caller_gets_exactly_what_they_may(client, scene, events, fingerprint, endpoint, caller):
    company, other = await scene.company(), await scene.company()
    second_contact = await scene.add_contact(company)
    document_id = await events.document(company, "Seal inspection log")
    # The system thread first, the Officer's after it: newest first, the Officer's is on top.
    await events.review_window_opened(company, 2027, date(2027, 3, 31))
    system_thread_id = await _system_thread(client, company)
    thread_id = await _started(client, company, company.officer, "Seal audit question")
    others_thread_id = await _started(client, other, other.officer, "Another company's question")

    people = {CONTACT: company.officer, SECOND_CONTACT: second_contact, OTHER_MODEL_CONTACT: other.officer,
              BYSTANDER: company.bystander, SCSS: company.scss, OTHER_SCSS: other.scss,
              MANAGEMENT: scene.person([StaffRole.MANAGEMENT]), ADMIN: scene.admin()}
    headers = {caller: {} if caller == ANON else people[caller].headers}
    values = {"model_id": str(company.model_id), "thread_id": thread_id, "system_thread_id": system_thread_id,
              "document_id": str(document_id), "trade_account_id": str(company.trade_account_id)}

    row = MATRIX.endpoints[endpoint]
    # The harness compares fingerprints only after a refusal; a cell expecting success skips reading the database.
    response = await MATRIX.check(client, endpoint, caller, headers=headers, values=values,
                                  fingerprint=fingerprint if row.expected[caller] >= 400 else nothing)

    author = "scss" if caller == SCSS else "contact"
    if response.status_code == 200 and endpoint == "list the model's threads":
        assert [t["id"] for t in response.json()["items"]] == [thread_id, system_thread_id], response.text
    if response.status_code == 200 and endpoint == "inbox":
        # Only one's own: the model's threads to its participants; another model's to its own; nothing to the rest.
        mine = {CONTACT: [thread_id, system_thread_id], SECOND_CONTACT: [thread_id, system_thread_id],
                SCSS: [thread_id, system_thread_id], OTHER_MODEL_CONTACT: [others_thread_id],
                OTHER_SCSS: [others_thread_id]}.get(caller, [])
        assert [t["id"] for t in response.json()["items"]] == mine, response.text
    if response.status_code == 201 and endpoint.startswith("start "):
        (message,) = response.json()["messages"]
        assert response.json()["security_model_id"] == str(company.model_id), response.text
        assert (message["author"], message["author_user_id"]) == (author, str(people[caller].user_id)), response.text
        attached = {"document_id": str(document_id), "title": "Seal inspection log"}
        assert message["attachment"] == (attached if endpoint.endswith("document") else None), response.text
    if response.status_code == 200 and endpoint.startswith("read "):
        shown = response.json()
        assert shown["id"] == values["thread_id" if endpoint == "read a thread" else "system_thread_id"], shown
        assert shown["messages"][-1]["author"] == ("contact" if endpoint == "read a thread" else "system"), shown
    if response.status_code == 201 and endpoint.startswith("reply "):
        newest = response.json()["messages"][0]
        assert (newest["author"], newest["author_user_id"], newest["body"]) == (
            author, str(people[caller].user_id), f"Answer from {caller}"), response.text
    if response.status_code == 204:
        # Read for the caller: opened again, nothing was unread.
        marked = values["thread_id" if endpoint == "mark a thread read" else "system_thread_id"]
        shown = await client.get(f"/threads/{marked}", headers=headers[caller])
        assert shown.status_code == 200 and shown.json()["unread_before"] is False, shown.text
    if response.status_code == 200 and endpoint.endswith("notification settings"):
        # Notices until one says no; the choice is the caller's, and nobody else's changes.
        chose = endpoint.startswith("choose")
        assert response.json() == {"email_notices": not chose}, response.text
        assert (await client.get(SETTINGS, headers=headers[caller])).json() == {"email_notices": not chose}
        assert (await client.get(SETTINGS, headers=company.officer.headers if caller != CONTACT
                                 else company.scss.headers)).json() == {"email_notices": True}
    if response.status_code == 404:
        # Not revealed: exactly what a model, or a thread, that does not exist gets.
        unknown = next(k for k in IDS if "{" + k + "}" in row.path)
        again = await row.send(client, {**values, unknown: str(uuid.uuid4()), "caller": caller}, headers[caller])
        assert again.status_code == 404, again.text
        assert _problem(again) == _problem(response), (again.text, response.text)


def _problem(response) -> tuple:
    body = response.json()
    return body.get("type"), body.get("title"), body.get("detail"), body.get("errors")


async def nothing() -> dict:
    return {}


def test_the_matrix_covers_every_route():
    assert MATRIX.uncovered(routes.router) == set()
