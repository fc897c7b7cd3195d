"""Forgot password (ID-08): emailed one-use link, 24 hours, security answers first, no enumeration."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import pytest
from sqlalchemy import select

from identity import tables


async def _start_reset(api, client, ctx) -> tuple[str, str]:
    email, _ = await api.new_user()
    response = await client.post("/password-resets", json={"email": email})
    assert response.status_code == 202
    return email, await api.mailed_reset_token(ctx, email)


@pytest.mark.req("ID-08")
async def test_the_answer_never_reveals_whether_the_email_is_registered(api, client):
    email, _ = await api.new_user()
    known = await client.post("/password-resets", json={"email": email})
    unknown = await client.post("/password-resets", json={"email": api.new_email()})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()


@pytest.mark.req("ID-08")
async def test_the_link_needs_the_security_answers_before_a_new_password(api, client, ctx):
    email, token = await _start_reset(api, client, ctx)
    questions = await client.get(f"/password-resets/{token}/questions")
    assert [q["question_id"] for q in questions.json()] == [1, 2, 3]
    early = await client.post(f"/password-resets/{token}/password", json={"new_password": "Brand#New5Pass"})
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "answers"
    wrong = await client.post(f"/password-resets/{token}/answers", json={"answers": api.questions(a3="Jones")})
    assert wrong.status_code == 422
    right = await client.post(f"/password-resets/{token}/answers", json={"answers": api.questions(a2=" SPRINGFIELD")})
    assert right.status_code == 204
    weak = await client.post(f"/password-resets/{token}/password", json={"new_password": "weak"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "new_password"
    done = await client.post(f"/password-resets/{token}/password", json={"new_password": "Brand#New5Pass"})
    assert done.status_code == 204
    await api.sign_in(email, "Brand#New5Pass")


@pytest.mark.req("ID-08")
async def test_the_link_works_once(api, client, ctx):
    _, token = await _start_reset(api, client, ctx)
    await client.post(f"/password-resets/{token}/answers", json={"answers": api.questions()})
    assert (await client.post(f"/password-resets/{token}/password", json={"new_password": "Once#Only5x"})).status_code == 204
    again = await client.post(f"/password-resets/{token}/password", json={"new_password": "Twice#Only6y"})
    assert again.status_code == 404
    assert (await client.get(f"/password-resets/{token}/questions")).status_code == 404


@pytest.mark.req("ID-08")
async def test_the_link_expires_after_24_hours(api, client, ctx, clock):
    _, token = await _start_reset(api, client, ctx)
    clock.advance(timedelta(hours=23, minutes=59))
    assert (await client.get(f"/password-resets/{token}/questions")).status_code == 200
    clock.advance(timedelta(minutes=2))
    assert (await client.get(f"/password-resets/{token}/questions")).status_code == 404
    assert (await client.post(f"/password-resets/{token}/answers", json={"answers": api.questions()})).status_code == 404


@pytest.mark.req("ID-08")
async def test_repeated_wrong_answers_kill_the_link(api, client, ctx, clock):
    _, token = await _start_reset(api, client, ctx)
    for _ in range(5):
        clock.advance(timedelta(seconds=10))  # past ID-12's growing waits at one address: the link's limit decides
        wrong = await client.post(f"/password-resets/{token}/answers", json={"answers": api.questions(a1="Nope")})
        assert wrong.status_code == 422
    assert (await client.post(f"/password-resets/{token}/answers", json={"answers": api.questions()})).status_code == 404


@pytest.mark.req("ID-08")
async def test_the_link_is_mailed_through_smtp(api, client, ctx, identity_settings, tmp_path):
    """The worker's sender delivers the queued mail to the real SMTP sink."""
    import os
    from pathlib import Path

    from identity.mail import MailSender
    from servicekit.clock import SystemClock

    email, token = await _start_reset(api, client, ctx)
    sender = MailSender(ctx.database, SystemClock(), host=identity_settings.smtp_host,
                        port=identity_settings.smtp_port, sender=identity_settings.mail_from)
    # the sender takes the oldest queued mail first, 20 at a time: other tests' mail may be ahead of this one
    while not await _sent_to(ctx, email):
        assert await sender.send_pending() >= 1, "the link's mail was never sent"
    mail_dir = Path(os.environ["PORTAL_MAIL_DIR"])
    delivered = [
        message_from_bytes(p.read_bytes(), policy=default) for p in mail_dir.glob("*.eml")
    ]
    assert any(m["To"] == email and token in m.get_content() for m in delivered)


async def _sent_to(ctx, email: str) -> bool:
    async with ctx.database.transaction() as session:
        return bool(await session.scalar(
            select(tables.mail_outbox.c.id)
            .where(tables.mail_outbox.c.recipient == email, tables.mail_outbox.c.sent_at.is_not(None)).limit(1)
        ))
