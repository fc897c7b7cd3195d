"""The annual review (CT-13): a window 90 days before the anniversary, opened once, affirmed, submitted inside
the window by an Officer, approved by the SCSS."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

import pytest
from ctpat import tables
from ctpat.use_cases import open_due_reviews
from sqlalchemy import select

from servicekit.clock import MovableClock


def _at(day: date) -> MovableClock:
    return MovableClock(datetime.combine(day, time(9, 0), tzinfo=UTC))


async def _window_events(runtime, model_id: str) -> list[dict]:
    async with runtime.database.transaction() as session:
        rows = await session.execute(select(tables.outbox.c.payload).where(
            tables.outbox.c.key == model_id, tables.outbox.c.event_type == "AnnualReviewWindowOpened.v1"))
        return [r.payload for r in rows]


@pytest.mark.req("CT-13")
async def test_the_window_opens_90_days_before_the_anniversary_exactly_once_with_several_workers(
    certify, runtime,
):
    certified = await certify("importer")
    model_id = certified.model["id"]
    anniversary = date.fromisoformat(certified.model["anniversary_date"])
    due = anniversary.replace(year=anniversary.year + 1)

    await open_due_reviews(runtime.database, _at(due - timedelta(days=91)))
    assert await _window_events(runtime, model_id) == []

    # Three workers reach the day at once.
    await asyncio.gather(*(open_due_reviews(runtime.database, _at(due - timedelta(days=90))) for _ in range(3)))
    await open_due_reviews(runtime.database, _at(due - timedelta(days=30)))  # a later tick opens nothing more

    (event,) = await _window_events(runtime, model_id)
    assert (event["review_year"], event["opens_on"], event["due_date"]) == (
        due.year, (due - timedelta(days=90)).isoformat(), due.isoformat())
    async with runtime.database.transaction() as session:
        rows = (await session.execute(select(tables.annual_reviews)
                                      .where(tables.annual_reviews.c.security_model_id == certified.model["id"]))).all()
    assert [(r.review_year, r.state) for r in rows] == [(due.year, "open")]


async def _open_window_due_in(client, runtime, certified, days: int) -> int:
    """Moves the anniversary so that a review is due in `days` days, and lets the scheduler open its window."""
    today = runtime.clock.now().date()
    due = today + timedelta(days=days)
    r = await client.put(f"/security-models/{certified.model['id']}/anniversary", headers=certified.management.headers,
                         json={"anniversary_date": due.replace(year=due.year - 1).isoformat(),
                               "reason": "Aligned with the validation date."})
    assert r.status_code == 200, r.text
    await open_due_reviews(runtime.database, runtime.clock)
    return due.year


@pytest.mark.req("CT-13")
async def test_every_statement_is_affirmed_then_an_officer_submits_and_the_scss_approves(
    client, certify, runtime, fingerprint,
):
    certified = await certify("importer")
    url = f"/security-models/{certified.model['id']}"
    admin, employee = certified.company.admin, certified.company.users[0]
    year = await _open_window_due_in(client, runtime, certified, 30)
    profile = (await client.get(f"{url}/profile", headers=admin.headers)).json()
    statements = [c["id"] for cat in profile["categories"] for c in cat["criteria"]]

    before = await fingerprint()
    unaffirmed = await client.post(f"{url}/annual-reviews/{year}/submission", headers=admin.headers)
    assert unaffirmed.status_code == 409
    assert len(unaffirmed.json()["errors"]) == len(statements)
    assert await fingerprint() == before

    for criterion_id in statements:
        body = {"affirmed": True}
        if criterion_id == statements[0]:
            body["updated_response"] = "We now audit seals monthly."
        r = await client.put(f"{url}/annual-reviews/{year}/affirmations/{criterion_id}", json=body,
                             headers=admin.headers)
        assert r.status_code == 204, r.text
    contacts = await client.put(f"{url}/contacts", headers=admin.headers, json={"contacts": [
        {"member_id": str(admin.member_id), "type": "officer", "primary_poc": True},
        {"member_id": str(employee.member_id), "type": "employee"}]})
    assert contacts.status_code == 200
    assert (await client.post(f"{url}/annual-reviews/{year}/submission", headers=employee.headers)).status_code == 403

    submitted = await client.post(f"{url}/annual-reviews/{year}/submission", headers=admin.headers)

    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "submitted" and submitted.json()["affirmed"] == len(statements)
    assert (await client.post(f"{url}/annual-reviews/{year}/approval", headers=admin.headers)).status_code == 403
    approved = await client.post(f"{url}/annual-reviews/{year}/approval", headers=certified.scss.headers)
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    versions = (await client.get(f"{url}/profile/{statements[0]}/versions", headers=admin.headers)).json()
    assert [v["response"] for v in versions][:1] == ["We now audit seals monthly."]


@pytest.mark.req("CT-13")
async def test_only_a_review_submitted_inside_the_window_satisfies_the_year(
    client, certify, runtime, session_clock, signer,
):
    certified = await certify("importer")
    url = f"/security-models/{certified.model['id']}"
    year = await _open_window_due_in(client, runtime, certified, 5)
    profile = (await client.get(f"{url}/profile", headers=certified.company.admin.headers)).json()
    for criterion_id in (c["id"] for cat in profile["categories"] for c in cat["criteria"]):
        await client.put(f"{url}/annual-reviews/{year}/affirmations/{criterion_id}", json={"affirmed": True},
                         headers=certified.company.admin.headers)
    admin = certified.company.admin
    session_clock.advance(timedelta(days=6))  # past the due date
    try:
        fresh = signer.bearer(admin.user_id, admin.email, [])  # minted after the clock moved
        late = await client.post(f"{url}/annual-reviews/{year}/submission", headers=fresh)
        assert late.status_code == 409 and "does not satisfy the year" in late.json()["detail"]
        (review,) = (await client.get(f"{url}/annual-reviews", headers=fresh)).json()
        assert review["missed"] is True and review["state"] == "open"
    finally:
        session_clock.advance(timedelta(days=-6))


@pytest.mark.req("CT-13")
async def test_the_review_names_the_statements_affirmed_so_far_so_they_can_be_walked_one_by_one(
    client, certify, runtime,
):
    certified = await certify("importer")
    url = f"/security-models/{certified.model['id']}"
    admin = certified.company.admin
    year = await _open_window_due_in(client, runtime, certified, 30)
    (review,) = (await client.get(f"{url}/annual-reviews", headers=admin.headers)).json()
    assert review["affirmed_criteria"] == []

    for criterion_id in ("2.1", "1.10", "1.2"):
        r = await client.put(f"{url}/annual-reviews/{year}/affirmations/{criterion_id}", json={"affirmed": True},
                             headers=admin.headers)
        assert r.status_code == 204, r.text
    withdrawn = await client.put(f"{url}/annual-reviews/{year}/affirmations/1.2", json={"affirmed": False},
                                 headers=admin.headers)
    assert withdrawn.status_code == 204

    (review,) = (await client.get(f"{url}/annual-reviews", headers=admin.headers)).json()
    assert review["affirmed_criteria"] == ["1.10", "2.1"] and review["affirmed"] == 2
