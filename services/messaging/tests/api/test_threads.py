"""MSG-01..MSG-05: threads between a Security Model's contacts and its SCSS, with read marks and system messages."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from portal_events.ctpat import ScssAssigned
from servicekit.auth import StaffRole


async def _start(client, who, company, subject="Seal audit question", body="When is the seal audit due?",
                 expect=201, **extra) -> dict:
    response = await client.post(f"/security-models/{company.model_id}/threads", headers=who.headers,
                                 json={"subject": subject, "body": body, **extra})
    assert response.status_code == expect, response.text
    return response.json()


async def _list(client, who, company) -> dict:
    response = await client.get(f"/security-models/{company.model_id}/threads", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.req("MSG-01")
async def test_only_the_models_contacts_and_its_scss_take_part(client, scene, fingerprint):
    company, other = await scene.company(), await scene.company()
    contact = await scene.add_contact(company)
    thread = await _start(client, company.officer, company)
    for who in (company.officer, contact, company.scss):
        assert [t["id"] for t in (await _list(client, who, company))["items"]] == [thread["id"]]
        assert (await client.get(f"/threads/{thread['id']}", headers=who.headers)).status_code == 200
    reply = await client.post(f"/threads/{thread['id']}/messages", headers=company.scss.headers,
                              json={"body": "Next month; I will send the date."})
    assert reply.status_code == 201
    # A user of the same Trade Account who is no contact, another company's contact, another SCSS, Management:
    # for each the model's messages do not exist; a refusal changes nothing.
    management = scene.person([StaffRole.MANAGEMENT])
    for who in (company.bystander, other.officer, other.scss, management):
        before = await fingerprint()
        assert (await client.get(f"/security-models/{company.model_id}/threads", headers=who.headers)).status_code == 404
        assert (await client.get(f"/threads/{thread['id']}", headers=who.headers)).status_code == 404
        assert (await client.post(f"/threads/{thread['id']}/messages", headers=who.headers,
                                  json={"body": "Let me in"})).status_code == 404
        await _start(client, who, company, expect=404)
        assert await fingerprint() == before
    # A contact removed in ctpat is out at once.
    await scene.set_contacts(company, [company.officer])
    assert (await client.get(f"/threads/{thread['id']}", headers=contact.headers)).status_code == 404


@pytest.mark.req("MSG-01")
async def test_a_reassigned_scss_hands_the_threads_to_the_new_one(client, scene):
    company = await scene.company()
    thread = await _start(client, company.officer, company)
    previous, successor = company.scss, scene.person([StaffRole.SCSS])
    await scene.model_event(company, ScssAssigned, scss_user_id=successor.user_id)
    inbox = (await client.get("/inbox", headers=successor.headers)).json()
    assert [t["id"] for t in inbox["items"]] == [thread["id"]]
    assert (await client.get("/inbox", headers=previous.headers)).json()["items"] == []
    assert (await client.get(f"/threads/{thread['id']}", headers=previous.headers)).status_code == 404


@pytest.mark.req("MSG-02")
async def test_threads_newest_first_with_unread_marked_per_user(client, scene, session_clock):
    from datetime import timedelta

    company = await scene.company()
    contact = await scene.add_contact(company)
    first = await _start(client, company.officer, company, subject="First")
    session_clock.advance(timedelta(seconds=1))
    await _start(client, contact, company, subject="Second")
    listing = await _list(client, company.officer, company)
    assert [t["subject"] for t in listing["items"]] == ["Second", "First"] and listing["total"] == 2
    # Unread for whoever did not write it (the writer has read their own).
    assert {t["subject"]: t["unread"] for t in listing["items"]} == {"Second": True, "First": False}
    assert {t["subject"]: t["unread"] for t in (await _list(client, company.scss, company))["items"]} == {
        "Second": True, "First": True}
    # A reply moves the thread on top, and makes it unread for the others again.
    session_clock.advance(timedelta(seconds=1))
    await client.post(f"/threads/{first['id']}/messages", headers=company.scss.headers, json={"body": "Answer"})
    listing = await _list(client, company.officer, company)
    assert [(t["subject"], t["unread"]) for t in listing["items"]] == [("First", True), ("Second", True)]
    # Reading is per user.
    assert (await client.post(f"/threads/{first['id']}/read", headers=company.officer.headers)).status_code == 204
    assert [(t["subject"], t["unread"]) for t in (await _list(client, company.officer, company))["items"]] == [
        ("First", False), ("Second", True)]
    assert [(t["subject"], t["unread"]) for t in (await _list(client, contact, company))["items"]] == [
        ("First", True), ("Second", False)]
    session_clock.advance(timedelta(seconds=-2))


@pytest.mark.req("MSG-02")
async def test_a_list_of_threads_reads_oldest_first_on_request(client, scene, session_clock):
    from datetime import timedelta

    company = await scene.company()
    for i in range(3):
        session_clock.advance(timedelta(seconds=1))
        await _start(client, company.officer, company, subject=f"Subject {i}")
    oldest = {"sort": "last_posted_at", "limit": 2}
    of_model = (await client.get(f"/security-models/{company.model_id}/threads", headers=company.officer.headers,
                                 params=oldest)).json()
    assert [t["subject"] for t in of_model["items"]] == ["Subject 0", "Subject 1"] and of_model["total"] == 3
    first = (await client.get("/inbox", headers=company.scss.headers, params=oldest)).json()
    rest = (await client.get("/inbox", headers=company.scss.headers, params={**oldest, "offset": 2})).json()
    assert [t["subject"] for t in first["items"] + rest["items"]] == ["Subject 0", "Subject 1", "Subject 2"]
    assert first["total"] == rest["total"] == 3
    newest = (await client.get("/inbox", headers=company.scss.headers, params={"sort": "-last_posted_at"})).json()
    assert [t["subject"] for t in newest["items"]] == ["Subject 2", "Subject 1", "Subject 0"]
    refused = await client.get("/inbox", headers=company.scss.headers, params={"sort": "subject"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "sort"
    session_clock.advance(timedelta(seconds=-3))


@pytest.mark.req("MSG-03")
async def test_a_thread_shows_every_reply_newest_on_top(client, scene, outbox):
    company = await scene.company()
    thread = await _start(client, company.officer, company, body="Question 🚚\nsecond line")
    for who, body in ((company.scss, "Answer"), (company.officer, "Thanks; one more"), (company.scss, "Sure")):
        response = await client.post(f"/threads/{thread['id']}/messages", headers=who.headers, json={"body": body})
        assert response.status_code == 201
    shown = (await client.get(f"/threads/{thread['id']}", headers=company.officer.headers)).json()
    assert [(m["sequence"], m["author"], m["body"]) for m in shown["messages"]] == [
        (4, "scss", "Sure"), (3, "contact", "Thanks; one more"), (2, "scss", "Answer"),
        (1, "contact", "Question 🚚\nsecond line")]
    assert shown["unread_before"] is True
    events = await outbox(thread["id"])
    assert [e["sequence"] for _, e in events] == [1, 2, 3, 4] and {t for t, _ in events} == {"MessagePosted.v1"}
    assert "body" not in events[0][1]  # the event says that someone wrote, never what


@pytest.mark.req("MSG-03")
async def test_replies_at_once_each_land_once_in_order(client, scene):
    company = await scene.company()
    thread = await _start(client, company.officer, company)
    responses = await asyncio.gather(*(client.post(f"/threads/{thread['id']}/messages", headers=company.scss.headers,
                                                   json={"body": f"reply {i}"}) for i in range(6)))
    assert sorted(r.status_code for r in responses) == [201] * 6
    shown = (await client.get(f"/threads/{thread['id']}", headers=company.officer.headers)).json()
    assert [m["sequence"] for m in shown["messages"]] == [7, 6, 5, 4, 3, 2, 1]
    assert sorted(m["body"] for m in shown["messages"][:6]) == [f"reply {i}" for i in range(6)]


@pytest.mark.req("MSG-04")
async def test_a_new_message_names_model_subject_body_and_an_optional_document_and_reaches_the_scss(
        client, scene, events, fingerprint):
    company, other = await scene.company(), await scene.company()
    document_id = await events.document(company, "Seal inspection log")
    thread = await _start(client, company.officer, company, document_id=str(document_id))
    assert thread["messages"][0]["attachment"] == {"document_id": str(document_id), "title": "Seal inspection log"}
    inbox = (await client.get("/inbox", headers=company.scss.headers)).json()
    assert [(t["id"], t["unread"]) for t in inbox["items"]] == [(thread["id"], True)]
    # Subject and body are required; a document must be this model's.
    foreign = await events.document(other)
    before = await fingerprint()
    for body in ({"subject": " ", "body": "x"}, {"subject": "x", "body": "  "}, {"body": "no subject"}):
        refused = await client.post(f"/security-models/{company.model_id}/threads", headers=company.officer.headers,
                                    json=body)
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    refused = await _start(client, company.officer, company, document_id=str(foreign), expect=422)
    assert refused["errors"][0]["field"] == "document_id"
    assert await fingerprint() == before


@pytest.mark.req("MSG-05")
async def test_the_annual_review_window_opening_arrives_as_one_thread_with_its_due_date(client, scene, events):
    company = await scene.company()
    await events.review_window_opened(company, 2027, date(2027, 3, 31), again=3)
    listing = await _list(client, company.officer, company)
    assert [(t["kind"], t["subject"], t["unread"]) for t in listing["items"]] == [
        ("system", "Annual review due March 31, 2027", True)]
    thread = (await client.get(f"/threads/{listing['items'][0]['id']}", headers=company.officer.headers)).json()
    assert thread["messages"][0]["author"] == "system" and "March 31, 2027" in thread["messages"][0]["body"]
    # The contacts answer it to their SCSS, in the same thread.
    reply = await client.post(f"/threads/{thread['id']}/messages", headers=company.officer.headers,
                              json={"body": "We will submit next week."})
    assert reply.status_code == 201
    assert [t["kind"] for t in (await client.get("/inbox", headers=company.scss.headers)).json()["items"]] == [
        "system"]


async def test_an_scss_inbox_spans_every_account_and_pages(client, scene, session_clock):
    from datetime import timedelta

    scss = scene.person([StaffRole.SCSS])
    companies = [await scene.company(scss=scss) for _ in range(3)]
    for i, company in enumerate(companies):
        session_clock.advance(timedelta(seconds=1))
        await _start(client, company.officer, company, subject=f"Subject {i}")
    page = (await client.get("/inbox", headers=scss.headers, params={"limit": 2})).json()
    assert [t["subject"] for t in page["items"]] == ["Subject 2", "Subject 1"] and page["total"] == 3
    rest = (await client.get("/inbox", headers=scss.headers, params={"limit": 2, "offset": 2})).json()
    assert [t["subject"] for t in rest["items"]] == ["Subject 0"] and rest["total"] == 3
    assert {t["company_name"] for t in page["items"]} <= {f"Company {c.trade_account_id.hex[:6]}" for c in companies}
    session_clock.advance(timedelta(seconds=-3))


@pytest.mark.req("MSG-01")
async def test_threads_started_while_the_scss_is_reassigned_all_end_with_the_new_one(client, scene):
    company = await scene.company()
    successors = [scene.person([StaffRole.SCSS]) for _ in range(4)]

    async def reassign():
        for successor in successors:
            await scene.model_event(company, ScssAssigned, scss_user_id=successor.user_id)

    results = await asyncio.gather(reassign(), *(_start(client, company.officer, company, subject=f"S{i}")
                                                 for i in range(12)))
    started = {t["id"] for t in results[1:]}
    inbox = (await client.get("/inbox", headers=successors[-1].headers, params={"limit": 50})).json()
    assert started <= {t["id"] for t in inbox["items"]} and inbox["total"] == 12
