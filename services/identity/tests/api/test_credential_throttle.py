"""ID-12 at the API: the account locks whatever the address, every credential check counts and is
refused while locked, and one address's failures do not shut out the others behind it."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import httpx
import pytest

from identity import use_cases
from identity.domain.credential_throttle import ThrottlePolicy, ThrottleRule
from servicekit.errors import Locked, TooManyRequests, Unauthenticated

NEW_QUESTIONS = [
    {"question_id": 4, "answer": "Volvo"}, {"question_id": 5, "answer": "Lincoln"}, {"question_id": 6, "answer": "Elm"}
]


def client_from(app, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 1234)), base_url="http://identity")


async def sign_in_status(app, address: str, email: str, password: str) -> int:
    async with client_from(app, address) as c:
        return (await c.post("/sessions", json={"email": email, "password": password})).status_code


@pytest.mark.req("ID-12")
async def test_guesses_spread_over_twenty_addresses_still_lock_the_account(api, app, clock):
    email = api.new_email()
    await api.register(email)
    codes = []
    for n in range(20):
        clock.advance(timedelta(seconds=1))
        codes.append(await sign_in_status(app, f"198.18.0.{n + 1}", email, "Wrong#Guess1"))
    assert codes == [401] * 10 + [423] * 10
    # locked for the owner too, at an address that never failed, even with the right password
    assert await sign_in_status(app, "198.18.1.1", email, api.password) == 423
    clock.advance(timedelta(minutes=15, seconds=1))
    assert await sign_in_status(app, "198.18.1.1", email, api.password) == 201


@pytest.mark.req("ID-12")
async def test_a_burst_of_failures_from_one_address_does_not_shut_out_a_colleague_behind_it(api, app, clock):
    """A company's NAT: dozens of failed sign-ins from it, then another user's right first sign-in passes."""
    typist, colleague = api.new_email(), api.new_email()
    await api.register(typist)
    await api.register(colleague)
    nat = "198.18.2.1"
    codes = []
    for n in range(40):
        # five wrong passwords for one registered user, the rest for emails that do not exist
        email = typist if n < 5 else api.new_email()
        codes.append(await sign_in_status(app, nat, email, "Wrong#Guess1"))
    assert codes.count(401) + codes.count(429) == 40 and codes[5:] == [401] * 35
    assert await sign_in_status(app, nat, colleague, api.password) == 201


@pytest.mark.req("ID-12")
async def test_an_address_clearly_attacking_is_blocked_for_everyone_behind_it(api, ctx, clock):
    """The per-address block is wired to sign-in: here with a limit of 5 (the real one is 300 a minute)."""
    small = ThrottlePolicy(per_address_burst=ThrottleRule(lock_after=5, lock_for=timedelta(minutes=5),
                                                          window=timedelta(minutes=1)))
    strict = dataclasses.replace(ctx, throttle_policy=small)
    colleague = api.new_email()
    await api.register(colleague)
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            async with ctx.database.transaction() as session:
                await use_cases.sign_in(session, strict, email=api.new_email(), password="Wrong#1x",
                                        client_address="198.18.3.1")
    with pytest.raises(TooManyRequests) as refused:
        async with ctx.database.transaction() as session:
            await use_cases.sign_in(session, strict, email=colleague, password=api.password,
                                    client_address="198.18.3.1")
    assert not isinstance(refused.value, Locked)  # the address is blocked (429), the account is not locked
    async with ctx.database.transaction() as session:  # the colleague elsewhere is untouched
        await use_cases.sign_in(session, strict, email=colleague, password=api.password, client_address="198.18.3.2")


async def _fail(kind: str, api, client, ctx, email: str, tokens: dict) -> int:
    """One failed check of the given kind; returns its status."""
    headers = api.bearer(tokens)
    if kind == "password":
        body = {"current_password": "Wrong#Guess1", "new_password": "Fresh#Pass2x"}
        return (await client.post("/me/password", json=body, headers=headers)).status_code
    if kind == "questions":
        body = {"current_answers": api.questions(a1="Nope"), "security_questions": NEW_QUESTIONS}
        return (await client.put("/me/security-questions", json=body, headers=headers)).status_code
    if kind == "email":
        body = {"current_password": "Wrong#Guess1", "new_email": api.new_email()}
        return (await client.post("/me/email", json=body, headers=headers)).status_code
    # reset answers: a fresh link each time, so the link's own limit (5) never ends the run first
    assert (await client.post("/password-resets", json={"email": email})).status_code == 202
    token = await api.mailed_reset_token(ctx, email)
    return (await client.post(f"/password-resets/{token}/answers",
                              json={"answers": api.questions(a1="Nope")})).status_code


async def _succeed(kind: str, api, client, ctx, email: str, tokens: dict) -> int:
    """The same check with the right secret; returns its status."""
    headers = api.bearer(tokens)
    if kind == "password":
        body = {"current_password": api.password, "new_password": "Fresh#Pass2x"}
        return (await client.post("/me/password", json=body, headers=headers)).status_code
    if kind == "questions":
        body = {"current_answers": api.questions(), "security_questions": NEW_QUESTIONS}
        return (await client.put("/me/security-questions", json=body, headers=headers)).status_code
    if kind == "email":
        body = {"current_password": api.password, "new_email": api.new_email()}
        return (await client.post("/me/email", json=body, headers=headers)).status_code
    assert (await client.post("/password-resets", json={"email": email})).status_code == 202
    token = await api.mailed_reset_token(ctx, email)
    return (await client.post(f"/password-resets/{token}/answers", json={"answers": api.questions()})).status_code


@pytest.mark.req("ID-12")
@pytest.mark.parametrize("kind", ["password", "questions", "email", "reset_answers"])
async def test_every_other_credential_check_counts_and_is_refused_while_locked(api, app, client, ctx, clock, kind):
    email, tokens = await api.new_user()
    for n in range(10):
        clock.advance(timedelta(seconds=1))
        # from ten addresses, so that only the account's own counter can lock (one address locks at the 6th)
        async with client_from(app, f"198.18.6.{n + 1}") as elsewhere:
            assert await _fail(kind, api, elsewhere, ctx, email, tokens) == 422
        tokens = await _refreshed(client, tokens)
    # the account is locked: this check, with the right secret, is refused, and so is a sign-in anywhere
    assert await _succeed(kind, api, client, ctx, email, tokens) == 423
    assert await sign_in_status(app, "198.18.4.1", email, api.password) == 423
    clock.advance(timedelta(minutes=15, seconds=1))
    tokens = await _refreshed(client, tokens)
    assert await _succeed(kind, api, client, ctx, email, tokens) in (200, 204)


@pytest.mark.req("ID-12")
@pytest.mark.parametrize("kind", ["password", "questions", "email", "reset_answers"])
async def test_every_other_credential_check_counts_towards_its_address_limit(
    api, app, client, ctx, monkeypatch, kind
):
    """Failed checks of one kind by five users at one address block that address, for sign-in too; the same
    users elsewhere are untouched. Here with an address limit of 5 a minute (the real one is 300)."""
    monkeypatch.setattr(ctx, "throttle_policy", ThrottlePolicy(per_address_burst=ThrottleRule(
        lock_after=5, lock_for=timedelta(minutes=5), window=timedelta(minutes=1))))
    colleague = api.new_email()
    await api.register(colleague)
    for _ in range(5):  # `client` sends from an address of this test's own
        email, tokens = await api.new_user()
        assert await _fail(kind, api, client, ctx, email, tokens) == 422
    refused = await client.post("/sessions", json={"email": colleague, "password": api.password})
    assert refused.status_code == 429 and "from your network" in refused.json()["detail"], refused.text
    assert await sign_in_status(app, "2001:db8:ffff::1", colleague, api.password) == 201


async def test_a_right_answer_forgives_the_accounts_own_earlier_mistakes(api, app, clock):
    email = api.new_email()
    await api.register(email)
    for _ in range(2):
        for n in range(6):
            clock.advance(timedelta(seconds=5))
            assert await sign_in_status(app, f"198.18.5.{n + 1}", email, "Wrong#Guess1") == 401
        assert await sign_in_status(app, "198.18.5.200", email, api.password) == 201
    # twelve failures in all, but never ten between two successes: never locked


async def _refreshed(client, tokens: dict) -> dict:
    """Access tokens live five minutes; a test that moves the clock keeps its session going."""
    response = await client.post("/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.req("ID-12")
async def test_counters_that_count_for_nothing_any_more_are_forgotten_and_the_others_kept(runtime, ctx, clock):

    from sqlalchemy import insert, select

    from identity import tables

    now = clock.now()
    forgotten_after = ctx.throttle_policy.forgotten_after
    tag = now.strftime("%H%M%S%f")
    rows = {
        f"sweep-old-{tag}": (now - forgotten_after - timedelta(minutes=1), None),  # window long closed: goes
        f"sweep-recent-{tag}": (now - timedelta(minutes=2), None),  # may still count: stays
        f"sweep-locked-{tag}": (now - forgotten_after - timedelta(minutes=1), now + timedelta(minutes=5)),  # stays
    }
    async with runtime.database.transaction() as session:
        await session.execute(insert(tables.signin_counters), [
            {"key": key, "failures": 3, "window_started_at": last, "last_failure_at": last, "locked_until": locked}
            for key, (last, locked) in rows.items()])

    async with runtime.database.transaction() as session:
        await use_cases.forget_stale_counters(session, ctx)

    async with runtime.database.transaction() as session:
        kept = set((await session.execute(select(tables.signin_counters.c.key).where(
            tables.signin_counters.c.key.like(f"sweep-%-{tag}")))).scalars())
    assert kept == {f"sweep-recent-{tag}", f"sweep-locked-{tag}"}
