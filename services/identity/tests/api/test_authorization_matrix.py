"""Every identity endpoint x every kind of caller (issue 6, item 6).

Callers: anonymous, a trade user (the object of the scene), another trade user
(a stranger to that user), an SCSS, Management and an Admin. Identity's objects
are mostly "me": whoever calls `/me...` acts on themselves, so the stranger's
and the staff's calls there succeed on their own accounts and must leave the
user's rows exactly as they were (checked below for every such cell). The
Helpdesk acts on others, and only an Admin may. The password-reset and
session-token endpoints are authorised by the link or refresh token they
carry, never by the caller's bearer: every caller holding the user's link gets
the same answer, and nobody gets anything with a link that does not exist.

The harness (servicekit.testing.authorization) checks each status, that a
refusal is problem+json and that it changed nothing in the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import jwt
from sqlalchemy import text

from identity import use_cases
from identity.api import helpdesk_routes, routes
from servicekit.auth import StaffRole
from servicekit.testing.authorization import Endpoint, Matrix

ANON, USER, STRANGER, SCSS, MANAGEMENT, ADMIN = "anonymous", "user", "stranger", "scss", "management", "admin"
STAFF = {SCSS: StaffRole.SCSS, MANAGEMENT: StaffRole.MANAGEMENT, ADMIN: StaffRole.ADMIN}
STAFF_PASSWORD = "Cbp#Matrix2026x"
NEW_PASSWORD = "Fresh#Pass2026x"
NEW_QUESTIONS = [
    {"question_id": 4, "answer": "Volvo"}, {"question_id": 5, "answer": "Lincoln"}, {"question_id": 6, "answer": "Elm"}
]
PROFILE = {"salutation": "Ms.", "first_name": "Ana", "last_name": "Lopez", "title": "Broker", "phone": "2025550100"}
NO_SUCH_LINK = "no-such-link-" + "x" * 30


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys((ANON, USER, STRANGER, SCSS, MANAGEMENT, ADMIN), status)


def signed_in(status: int, others: Mapping[str, int] | None = None) -> dict[str, int]:
    """Anonymous 401; every signed-in caller `status` unless named in `others`."""
    return {**everyone(status), ANON: 401, **(others or {})}


def admin_only(status: int) -> dict[str, int]:
    return {ANON: 401, USER: 403, STRANGER: 403, SCSS: 403, MANAGEMENT: 403, ADMIN: status}


def fresh_email() -> str:
    return f"matrix-{uuid.uuid4().hex[:12]}@example.com"


def own_password(scene) -> str:
    """The caller's own current password (anonymous has none; they send the user's)."""
    return scene["passwords"].get(scene["caller"], scene["passwords"][USER])


MATRIX = Matrix(callers=[ANON, USER, STRANGER, SCSS, MANAGEMENT, ADMIN], endpoints={
    "keys": Endpoint("GET", "/.well-known/jwks.json", everyone(200)),
    "question catalogue": Endpoint("GET", "/security-questions", everyone(200)),
    "register": Endpoint("POST", "/users", everyone(201), body=lambda scene: {
        "email": fresh_email(), "password": NEW_PASSWORD, "security_questions": scene["questions"]}),
    # "me": each signed-in caller reads and changes only themselves
    "read me": Endpoint("GET", "/me", signed_in(200)),
    "read my security questions": Endpoint("GET", "/me/security-questions", signed_in(200)),
    "complete profile": Endpoint("PUT", "/me/profile", signed_in(200), body=PROFILE),
    "change password": Endpoint(
        "POST", "/me/password", signed_in(200), rule="ID-07",
        body=lambda scene: {"current_password": own_password(scene), "new_password": NEW_PASSWORD}),
    "change security questions": Endpoint(
        "PUT", "/me/security-questions", signed_in(200, {SCSS: 409, MANAGEMENT: 409, ADMIN: 409}), rule="ID-07",
        body=lambda scene: {"current_answers": scene["questions"], "security_questions": NEW_QUESTIONS}),
    "change email": Endpoint(
        "POST", "/me/email", signed_in(200), rule="ID-09",
        body=lambda scene: {"current_password": own_password(scene), "new_email": fresh_email()}),
    "choose new questions after the helpdesk cleared them": Endpoint(
        "PUT", "/me/new-security-questions", signed_in(409, {USER: 200}),
        body={"security_questions": NEW_QUESTIONS}),
    "sign out this session": Endpoint("DELETE", "/sessions/current", signed_in(204)),
    "sign out everywhere": Endpoint("DELETE", "/sessions", signed_in(204)),
    # sessions: the password or the refresh token is the credential, whoever sends it
    "sign in": Endpoint("POST", "/sessions", everyone(201),
                        body=lambda scene: {"email": scene["email"], "password": scene["passwords"][USER]}),
    "refresh": Endpoint("POST", "/sessions/refresh", everyone(200),
                        body=lambda scene: {"refresh_token": scene["refresh_token"]}),
    "revoke a session": Endpoint("POST", "/sessions/revoke", everyone(204),
                                 body=lambda scene: {"refresh_token": scene["refresh_token"]}),
    # forgot password (ID-08): the emailed link is the credential, whoever sends it
    "forgot password": Endpoint("POST", "/password-resets", everyone(202),
                                body=lambda scene: {"email": scene["email"]}),
    "link's questions": Endpoint("GET", "/password-resets/{link}/questions", everyone(200)),
    "answer the link's questions": Endpoint("POST", "/password-resets/{link}/answers", everyone(204),
                                            body=lambda scene: {"answers": scene["questions"]}),
    "new password before answering": Endpoint("POST", "/password-resets/{link}/password", everyone(422),
                                              body={"new_password": NEW_PASSWORD}, rule="ID-08"),
    "new password after answering": Endpoint("POST", "/password-resets/{link}/password", everyone(204),
                                             body={"new_password": NEW_PASSWORD}),
    "unknown link's questions": Endpoint("GET", f"/password-resets/{NO_SUCH_LINK}/questions", everyone(404)),
    "answers to an unknown link": Endpoint("POST", f"/password-resets/{NO_SUCH_LINK}/answers", everyone(404),
                                           body=lambda scene: {"answers": scene["questions"]}),
    "new password on an unknown link": Endpoint("POST", f"/password-resets/{NO_SUCH_LINK}/password", everyone(404),
                                                body={"new_password": NEW_PASSWORD}),
    # the C-TPAT Helpdesk acts on someone else: CBP Admins only
    "helpdesk action": Endpoint("POST", "/helpdesk/actions", admin_only(201), body=lambda scene: {
        "action": "send_reset_link", "email": scene["email"], "reason": "Ticket 4711, identity checked by phone"}),
    "helpdesk history": Endpoint("GET", "/helpdesk/actions", admin_only(200)),
})

# Rows whose object is the caller: any other caller's call leaves the user as they were.
ON_THEMSELVES = {"read me", "complete profile", "change password", "change security questions", "change email",
                 "choose new questions after the helpdesk cleared them", "sign out this session",
                 "sign out everywhere", "helpdesk history"}
ANSWERED_LINK = {"new password after answering"}
QUESTIONS_CLEARED = {"choose new questions after the helpdesk cleared them"}


async def staff_member(api, ctx, role: StaffRole) -> tuple[str, dict]:
    email = f"staff-{uuid.uuid4().hex[:8]}@cbp.example"
    async with ctx.database.transaction() as session:
        await use_cases.register(session, ctx, email=email, password=STAFF_PASSWORD, questions=[], kind="cbp",
                                 roles=[role])
    return email, await api.sign_in(email, STAFF_PASSWORD)


async def footprint(ctx, user_id: str, email: str) -> Mapping[str, list]:
    """Every row that is the user's: their account, sessions, links, counters, mail, events, Helpdesk records."""
    queries = {
        "users": "select u::text from users u where id = :id",
        "sessions": "select s::text from sessions s where user_id = :id",
        "refresh_tokens": "select r::text from refresh_tokens r join sessions s on s.id = r.session_id "
                          "where s.user_id = :id",
        "password_resets": "select p::text from password_resets p where user_id = :id",
        "signin_counters": "select c::text from signin_counters c where key like 'account:' || :key || '%'",
        "mail_outbox": "select m::text from mail_outbox m where lower(recipient) = lower(:email)",
        "outbox": "select o::text from outbox o where key = :key",
        "helpdesk_actions": "select h::text from helpdesk_actions h where user_id = :id",
    }
    async with ctx.database.transaction() as session:
        return {
            table: sorted((await session.execute(text(sql), {"id": user_id, "key": user_id, "email": email}))
                          .scalars().all())
            for table, sql in queries.items()
        }


def subject(response_body: dict) -> str:
    """Whom a response (or a pair of tokens) is about: a user's id, or the subject of its access token."""
    if "access_token" in response_body:
        return jwt.decode(response_body["access_token"], options={"verify_signature": False})["sub"]
    return response_body["id"]


@MATRIX.parametrize
async def test_each_caller_gets_exactly_what_they_may(api, client, ctx, fingerprint, endpoint, caller):
    email, tokens = await api.new_user()
    user_id = (await client.get("/me", headers=api.bearer(tokens))).json()["id"]
    assert (await client.post("/password-resets", json={"email": email})).status_code == 202
    link = await api.mailed_reset_token(ctx, email)
    if endpoint in ANSWERED_LINK:
        answered = await client.post(f"/password-resets/{link}/answers", json={"answers": api.questions()})
        assert answered.status_code == 204, answered.text
    if endpoint in QUESTIONS_CLEARED:
        _, admin = await staff_member(api, ctx, StaffRole.ADMIN)
        async with ctx.database.transaction() as session:
            await use_cases.act_for_helpdesk(session, ctx, actor_id=uuid.UUID(subject(admin)),
                                             action="clear_security_questions", email=email,
                                             reason="Ticket 4712, identity checked by phone")
        tokens = await api.sign_in(email)
    # only the caller's account is made: the harness sends nothing else
    if caller == USER:
        caller_tokens = tokens
    elif caller == STRANGER:  # an account of their own, the same password and answers: only the token differs
        caller_tokens = (await api.new_user())[1]
    elif caller in STAFF:
        caller_tokens = (await staff_member(api, ctx, STAFF[caller]))[1]
    headers = {caller: {} if caller == ANON else api.bearer(caller_tokens)}
    passwords = {USER: api.password, STRANGER: api.password, **dict.fromkeys(STAFF, STAFF_PASSWORD)}

    before = await footprint(ctx, user_id, email)
    response = await MATRIX.check(client, endpoint, caller, headers=headers, fingerprint=fingerprint, values={
        "email": email, "link": link, "refresh_token": tokens["refresh_token"], "questions": api.questions(),
        "passwords": passwords})

    if endpoint in ON_THEMSELVES and caller not in (USER, ANON):
        assert await footprint(ctx, user_id, email) == before, f"{endpoint} as {caller} changed the user"
        if response.status_code == 200 and isinstance(response.json(), dict):
            assert subject(response.json()) == subject(caller_tokens), (
                f"{endpoint} as {caller} answered about someone else")


def test_the_matrix_covers_every_identity_route():
    assert MATRIX.uncovered(routes.router, helpdesk_routes.router) == set()
