"""Change email with the current password, emitting UserEmailChanged (ID-09)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from identity import tables


@pytest.mark.req("ID-09")
async def test_changing_the_email_needs_the_password_and_writes_the_event_in_the_same_transaction(api, client, ctx):
    email, tokens = await api.new_user()
    new_email = api.new_email()
    refused = await client.post("/me/email", json={"current_password": "Wrong#Pass1", "new_email": new_email}, headers=api.bearer(tokens))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "current_password"
    changed = await client.post("/me/email", json={"current_password": api.password, "new_email": new_email}, headers=api.bearer(tokens))
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == new_email
    async with ctx.database.transaction() as session:
        rows = (
            await session.execute(
                select(tables.outbox).where(tables.outbox.c.key == changed.json()["id"])
                .where(tables.outbox.c.event_type == "UserEmailChanged.v1")
            )
        ).all()
    assert len(rows) == 1
    assert rows[0].payload["old_email"] == email and rows[0].payload["new_email"] == new_email
    assert rows[0].topic == "identity.user.v1"
    await api.sign_in(new_email)
    assert (await client.post("/sessions", json={"email": email, "password": api.password})).status_code == 401


@pytest.mark.req("ID-01")  # the email is unique: a change cannot take a registered one
async def test_the_new_email_must_be_free(api, client, ctx):
    taken, _ = await api.new_user()
    _, tokens = await api.new_user()
    response = await client.post("/me/email", json={"current_password": api.password, "new_email": taken.upper()}, headers=api.bearer(tokens))
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "new_email"
