"""Every operations endpoint x every kind of caller (issue 3, item 6), on requests of this account and of others.

Callers: anonymous; a plain user of both accounts; the requester (Company
Administrator of the TOP account, user of the subsidiary); the subsidiary's
Company Administrator (who must approve); a stranger; an SCSS; Management.
The harness (servicekit.testing.authorization) checks each status and that a
refusal changed nothing in the database.
"""

from __future__ import annotations

from servicekit.auth import StaffRole
from servicekit.testing.authorization import Endpoint, Matrix
from servicekit.testing.junk import Operation
from trade_accounts.api import requests_routes

REASON = "Acme Holdings acquired Beta Freight in 2026; one organisation now."
ANON, USER, REQUESTER, OTHER_ADMIN, STRANGER, SCSS, MANAGEMENT = (
    "anonymous", "user of both", "requester", "other admin", "stranger", "scss", "management")

MATRIX = Matrix(callers=[ANON, USER, REQUESTER, OTHER_ADMIN, STRANGER, SCSS, MANAGEMENT], endpoints={
    # a new request between the third account and the extra one (set-up's pending one is not in the way).
    # Only the rows that decide TA-09 carry its tag: who may request a link, and who may accept one.
    "request link": Endpoint(
        "POST", "/trade-account-requests/link",
        {ANON: 401, USER: 403, REQUESTER: 201, OTHER_ADMIN: 404, STRANGER: 404, SCSS: 403, MANAGEMENT: 403},
        body=lambda s: {"requesting_account_id": s["third"], "parent_id": s["third"], "subsidiary_id": s["extra"],
                        "reason": REASON}, rule="TA-09"),
    "request split": Endpoint(
        "POST", "/trade-account-requests/split",
        {ANON: 401, USER: 403, REQUESTER: 201, OTHER_ADMIN: 404, STRANGER: 404, SCSS: 403, MANAGEMENT: 403},
        body=lambda s: {"source_id": s["third"], "new_company_name": "Acme Spin-off", "reason": REASON}),
    "request merge": Endpoint(
        "POST", "/trade-account-requests/merge",
        {ANON: 401, USER: 403, REQUESTER: 201, OTHER_ADMIN: 404, STRANGER: 404, SCSS: 403, MANAGEMENT: 403},
        body=lambda s: {"requesting_account_id": s["third"], "survivor_id": s["third"], "merged_id": s["extra"],
                        "reason": REASON}),
    # the pending link request made in set-up
    "read request": Endpoint(
        "GET", "/trade-account-requests/{request}",
        {ANON: 401, USER: 200, REQUESTER: 200, OTHER_ADMIN: 200, STRANGER: 404, SCSS: 404, MANAGEMENT: 200}),
    "approve": Endpoint(
        "POST", "/trade-account-requests/{request}/decision",
        {ANON: 401, USER: 403, REQUESTER: 403, OTHER_ADMIN: 200, STRANGER: 404, SCSS: 404, MANAGEMENT: 403},
        body={"decision": "approved"}, rule="TA-09"),
    "cancel": Endpoint(
        "POST", "/trade-account-requests/{request}/cancel",
        {ANON: 401, USER: 403, REQUESTER: 200, OTHER_ADMIN: 403, STRANGER: 404, SCSS: 404, MANAGEMENT: 403}),
    "tasks": Endpoint(
        "GET", "/tasks",
        {ANON: 401, USER: 200, REQUESTER: 200, OTHER_ADMIN: 200, STRANGER: 200, SCSS: 200, MANAGEMENT: 200}),
})


@MATRIX.parametrize
async def test_each_caller_gets_exactly_what_they_may(client, people, bodies, fingerprint, endpoint, caller):
    requester, other_admin, user, stranger = [await people.registered() for _ in range(4)]

    async def account(admin, name):
        company = {"company_information": {"company_name": name}}
        return (await client.post("/trade-accounts", json=company, headers=admin.headers)).json()

    acme, beta = await account(requester, "Acme Holdings"), await account(other_admin, "Beta Freight")
    third = await account(requester, "Acme Third")
    for admin, target, person in ((other_admin, beta, requester), (requester, acme, user), (other_admin, beta, user),
                                  (requester, third, user)):
        added = await client.post(f"/trade-accounts/{target['id']}/users", json=bodies.new_user(person.email),
                                  headers=admin.headers)
        assert added.status_code == 201
    await account(stranger, "Stranger Co")
    pending = (await client.post("/trade-account-requests/link", json={
        "requesting_account_id": acme["id"], "parent_id": acme["id"], "subsidiary_id": beta["id"], "reason": REASON},
        headers=requester.headers)).json()
    extra = await account(other_admin, "Beta Extra")
    await client.post(f"/trade-accounts/{extra['id']}/users", json=bodies.new_user(requester.email), headers=other_admin.headers)
    await client.post(f"/trade-accounts/{extra['id']}/users", json=bodies.new_user(user.email), headers=other_admin.headers)

    headers = {ANON: {}, USER: user.headers, REQUESTER: requester.headers, OTHER_ADMIN: other_admin.headers,
               STRANGER: stranger.headers, SCSS: people.staff(StaffRole.SCSS).headers,
               MANAGEMENT: people.staff(StaffRole.MANAGEMENT).headers}
    await MATRIX.check(client, endpoint, caller, headers=headers, fingerprint=fingerprint, values={
        "request": pending["id"], "third": third["id"], "extra": extra["id"]})


def test_the_matrix_covers_every_operations_route_but_delink():
    """Delink needs a linked pair; test_operations.py proves who may request and approve it."""
    assert MATRIX.uncovered(requests_routes.router) == {Operation("POST", "/trade-account-requests/delink")}
