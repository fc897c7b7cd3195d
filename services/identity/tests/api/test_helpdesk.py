"""The C-TPAT Helpdesk: a CBP Admin unlocks a sign-in, clears security questions, sends a reset link;
each action is recorded with who, how and why; nobody else can act on anyone."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import jwt
import pytest
from sqlalchemy import func, select

from identity import tables, use_cases
from identity.__main__ import main

NEW_QUESTIONS = [
    {"question_id": 4, "answer": "Volvo"}, {"question_id": 5, "answer": "Lincoln"}, {"question_id": 6, "answer": "Elm"}
]
STAFF_PASSWORD = "Cbp#Helpdesk2026"


async def staff(api, ctx, *roles: str) -> tuple[str, dict]:
    email = f"staff-{uuid.uuid4().hex[:8]}@cbp.example"
    async with ctx.database.transaction() as session:
        await use_cases.register(session, ctx, email=email, password=STAFF_PASSWORD, questions=[], kind="cbp",
                                 roles=list(roles))
    return email, await api.sign_in(email, STAFF_PASSWORD)


async def act(client, api, tokens: dict, action: str, email: str, reason: str = "Ticket 4711, identity checked by phone"):
    return await client.post(
        "/helpdesk/actions", json={"action": action, "email": email, "reason": reason}, headers=api.bearer(tokens)
    )


async def recorded_for(ctx, email: str) -> int:
    async with ctx.database.transaction() as session:
        return await session.scalar(
            select(func.count()).select_from(tables.helpdesk_actions)
            .where(tables.helpdesk_actions.c.user_email == email)
        )


async def mails_to(ctx, email: str) -> int:
    async with ctx.database.transaction() as session:
        return await session.scalar(
            select(func.count()).select_from(tables.mail_outbox).where(tables.mail_outbox.c.recipient == email)
        )


def claims(tokens: dict) -> dict:
    return jwt.decode(tokens["access_token"], options={"verify_signature": False})


async def lock_out(app, api, email: str) -> None:
    for n in range(10):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(f"198.18.9.{n + 1}", 1)),
                                     base_url="http://identity") as c:
            await c.post("/sessions", json={"email": email, "password": "Wrong#Guess1"})
    assert (await api.client.post("/sessions", json={"email": email, "password": api.password})).status_code == 423


@pytest.mark.parametrize("action", ["unlock_sign_in", "clear_security_questions", "send_reset_link"])
async def test_only_a_cbp_admin_may_act_and_a_refusal_changes_nothing(api, client, ctx, action):
    victim, _ = await api.new_user()
    _, stranger = await api.new_user()
    _, scss = await staff(api, ctx, "scss", "management")
    body = {"action": action, "email": victim, "reason": "I say so"}
    assert (await client.post("/helpdesk/actions", json=body)).status_code == 401
    for tokens in (stranger, scss):
        refused = await client.post("/helpdesk/actions", json=body, headers=api.bearer(tokens))
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert (await client.get("/helpdesk/actions", headers=api.bearer(tokens))).status_code == 403
    assert (await client.get("/helpdesk/actions")).status_code == 401
    # nothing happened to the victim: no record, no mail, questions still asked
    assert await recorded_for(ctx, victim) == 0
    assert await mails_to(ctx, victim) == 0
    assert claims(await api.sign_in(victim))["sq_required"] is False
    _, admin = await staff(api, ctx, "admin")
    assert (await act(client, api, admin, action, victim)).status_code == 201


async def test_unlock_lifts_the_lock_at_once_and_is_recorded_with_who_and_why(api, app, client, ctx):
    email = api.new_email()
    await api.register(email)
    await lock_out(app, api, email)
    admin_email, admin = await staff(api, ctx, "admin")
    done = await act(client, api, admin, "unlock_sign_in", email, "Ticket 1 - caller verified by callback")
    assert done.status_code == 201, done.text
    assert done.json()["actor_email"] == admin_email and done.json()["channel"] == "api"
    await api.sign_in(email)
    history = await client.get("/helpdesk/actions", params={"email": email}, headers=api.bearer(admin))
    assert history.status_code == 200
    [entry] = history.json()
    assert entry["action"] == "unlock_sign_in" and entry["user_email"] == email
    assert entry["reason"] == "Ticket 1 - caller verified by callback" and entry["actor_email"] == admin_email


async def test_cleared_questions_must_be_chosen_again_before_anything_else(api, client, ctx):
    email, tokens = await api.new_user()
    _, admin = await staff(api, ctx, "admin")
    assert (await act(client, api, admin, "clear_security_questions", email)).status_code == 201
    # a session opened before the clear is led to the questions at its next refresh
    refreshed = await client.post("/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200 and claims(refreshed.json())["sq_required"] is True
    signed_in = await api.sign_in(email)
    assert claims(signed_in)["sq_required"] is True
    headers = api.bearer(signed_in)
    profile = {"salutation": "Ms.", "first_name": "Ana", "last_name": "Lopez", "title": "Broker", "phone": "2025550100"}
    blocked = await client.put("/me/profile", json=profile, headers=headers)
    assert blocked.status_code == 403 and blocked.json()["type"].endswith("/security-questions-required")
    assert (await client.post("/me/email", json={"current_password": api.password, "new_email": api.new_email()},
                              headers=headers)).status_code == 403
    assert (await client.get("/me", headers=headers)).status_code == 200
    # an ordinary forgot-password link cannot help: there are no answers to give
    assert (await client.post("/password-resets", json={"email": email})).status_code == 202
    token = await api.mailed_reset_token(ctx, email)
    assert (await client.get(f"/password-resets/{token}/questions")).json() == []
    assert (await client.post(f"/password-resets/{token}/answers",
                              json={"answers": api.questions()})).status_code == 409
    chosen = await client.put("/me/new-security-questions", json={"security_questions": NEW_QUESTIONS},
                              headers=headers)
    assert chosen.status_code == 200, chosen.text
    assert claims(chosen.json())["sq_required"] is False
    assert (await client.put("/me/profile", json=profile, headers=api.bearer(chosen.json()))).status_code == 200
    # once chosen, they are changed only with the current answers
    again = await client.put("/me/new-security-questions", json={"security_questions": api.questions()},
                             headers=api.bearer(chosen.json()))
    assert again.status_code == 409


async def test_a_helpdesk_link_after_clearing_needs_no_answers_then_new_questions_are_required(api, client, ctx):
    """The manual's case: the user forgot the password and the answers."""
    email = api.new_email()
    await api.register(email)
    _, admin = await staff(api, ctx, "admin")
    assert (await act(client, api, admin, "clear_security_questions", email)).status_code == 201
    assert (await act(client, api, admin, "send_reset_link", email)).status_code == 201
    token = await api.mailed_reset_token(ctx, email)
    reset = await client.post(f"/password-resets/{token}/password", json={"new_password": "Brand#New2Pass"})
    assert reset.status_code == 204, reset.text
    tokens = await api.sign_in(email, "Brand#New2Pass")
    assert claims(tokens)["sq_required"] is True
    history = (await client.get("/helpdesk/actions", params={"email": email}, headers=api.bearer(admin))).json()
    assert [h["action"] for h in history] == ["send_reset_link", "clear_security_questions"]


async def test_a_helpdesk_link_to_a_user_with_questions_still_asks_them(api, client, ctx):
    email = api.new_email()
    await api.register(email)
    _, admin = await staff(api, ctx, "admin")
    assert (await act(client, api, admin, "send_reset_link", email)).status_code == 201
    token = await api.mailed_reset_token(ctx, email)
    early = await client.post(f"/password-resets/{token}/password", json={"new_password": "Brand#New2Pass"})
    assert early.status_code == 422
    assert len((await client.get(f"/password-resets/{token}/questions")).json()) == 3


async def test_bad_helpdesk_requests_name_the_field_and_change_nothing(api, client, ctx, clock):
    email, _ = await api.new_user()
    staff_email, admin = await staff(api, ctx, "admin")
    no_reason = await act(client, api, admin, "clear_security_questions", email, reason="  ")
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    nul = await act(client, api, admin, "clear_security_questions", email, reason="bad\x00reason")
    assert nul.status_code == 422
    unknown = await act(client, api, admin, "clear_security_questions", api.new_email())
    assert unknown.status_code == 404
    wrong_kind = await client.post("/helpdesk/actions", headers=api.bearer(admin),
                                   json={"action": "delete_user", "email": email, "reason": "because"})
    assert wrong_kind.status_code == 422
    # staff have no security questions to clear
    assert (await act(client, api, admin, "clear_security_questions", staff_email)).status_code == 409
    assert await recorded_for(ctx, email) == 0 and await recorded_for(ctx, staff_email) == 0
    assert claims(await api.sign_in(email))["sq_required"] is False


async def test_the_helpdesk_cli_acts_as_a_named_admin_and_records_it(api, app, ctx, identity_settings, monkeypatch,
                                                                    capsys):
    monkeypatch.setenv("IDENTITY_DATABASE_URL", identity_settings.database_url)
    email = api.new_email()
    await api.register(email)
    await lock_out(app, api, email)
    admin_email, _ = await staff(api, ctx, "admin")
    trade_email, _ = await api.new_user()
    with pytest.raises(SystemExit, match="refused"):
        await asyncio.to_thread(main, ["helpdesk", "unlock", email, "--reason", "no right", "--admin", trade_email])
    assert await recorded_for(ctx, email) == 0
    # the CLI runs its own event loop, so it runs in a thread of its own here
    await asyncio.to_thread(main, ["helpdesk", "unlock", email, "--reason", "Ticket 9 by phone", "--admin", admin_email])
    assert f"unlock_sign_in {email} by {admin_email}" in capsys.readouterr().out
    await api.sign_in(email)
    await asyncio.to_thread(main, ["helpdesk", "history", email, "--admin", admin_email])
    out = capsys.readouterr().out
    assert "unlock_sign_in" in out and "(cli): Ticket 9 by phone" in out


async def test_a_role_taken_away_stops_working_before_the_token_expires(api, client, ctx, clock):
    admin_email, admin = await staff(api, ctx, "admin")
    email, _ = await api.new_user()
    async with ctx.database.transaction() as session:
        await session.execute(tables.users.update().where(tables.users.c.email == admin_email).values(roles=["scss"]))
    clock.advance(timedelta(seconds=1))
    assert (await act(client, api, admin, "unlock_sign_in", email)).status_code == 403
