"""Every operations endpoint x every kind of caller (issue 3, item 6), on requests of this account and of others.

Callers: anonymous; a plain user of both accounts; the requester (Company
Administrator of the TOP account, user of the subsidiary); the subsidiary's
Company Administrator (who must approve); a stranger; an SCSS; Management.
"""

from __future__ import annotations

import pytest

REASON = "Acme Holdings acquired Beta Freight in 2026; one organisation now."
ANON, USER, REQUESTER, OTHER_ADMIN, STRANGER, SCSS, MANAGEMENT = (
    "anonymous", "user of both", "requester", "other admin", "stranger", "scss", "management")
CALLERS = [ANON, USER, REQUESTER, OTHER_ADMIN, STRANGER, SCSS, MANAGEMENT]

MATRIX = {
    # a new link request between the two accounts
    "request link": ("POST", "/trade-account-requests/link", "link",
                     {ANON: 401, USER: 403, REQUESTER: 201, OTHER_ADMIN: 404, STRANGER: 404, SCSS: 403, MANAGEMENT: 403}),
    "request split": ("POST", "/trade-account-requests/split", "split",
                      {ANON: 401, USER: 403, REQUESTER: 201, OTHER_ADMIN: 404, STRANGER: 404, SCSS: 403, MANAGEMENT: 403}),
    "request merge": ("POST", "/trade-account-requests/merge", "merge",
                      {ANON: 401, USER: 403, REQUESTER: 201, OTHER_ADMIN: 404, STRANGER: 404, SCSS: 403, MANAGEMENT: 403}),
    # the pending link request made in set-up
    "read request": ("GET", "/trade-account-requests/{request}", None,
                     {ANON: 401, USER: 200, REQUESTER: 200, OTHER_ADMIN: 200, STRANGER: 404, SCSS: 404, MANAGEMENT: 200}),
    "approve": ("POST", "/trade-account-requests/{request}/decision", {"decision": "approved"},
                {ANON: 401, USER: 403, REQUESTER: 403, OTHER_ADMIN: 200, STRANGER: 404, SCSS: 404, MANAGEMENT: 403}),
    "cancel": ("POST", "/trade-account-requests/{request}/cancel", None,
               {ANON: 401, USER: 403, REQUESTER: 200, OTHER_ADMIN: 403, STRANGER: 404, SCSS: 404, MANAGEMENT: 403}),
    "tasks": ("GET", "/tasks", None,
              {ANON: 401, USER: 200, REQUESTER: 200, OTHER_ADMIN: 200, STRANGER: 200, SCSS: 200, MANAGEMENT: 200}),
}


# Only the rows that decide TA-09 carry its tag: who may request a link, and who may accept one.
TA_09_ROWS = {"request link", "approve"}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", [
    pytest.param(e, marks=pytest.mark.req("TA-09")) if e in TA_09_ROWS else e for e in MATRIX])
async def test_each_caller_gets_exactly_what_they_may(client, people, bodies, endpoint, caller):
    requester, other_admin, user, stranger = [await people.registered() for _ in range(4)]

    async def account(admin, name):
        company = {"company_information": {"company_name": name}}
        return (await client.post("/trade-accounts", json=company, headers=admin.headers)).json()

    acme, beta = await account(requester, "Acme Holdings"), await account(other_admin, "Beta Freight")
    third = await account(requester, "Acme Third")  # for the new link request, so set-up's pending one is not in the way
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

    method, template, body, expected = MATRIX[endpoint]
    if body == "link":
        body = {"requesting_account_id": third["id"], "parent_id": third["id"], "subsidiary_id": extra["id"], "reason": REASON}
    elif body == "split":
        body = {"source_id": third["id"], "new_company_name": "Acme Spin-off", "reason": REASON}
    elif body == "merge":
        body = {"requesting_account_id": third["id"], "survivor_id": third["id"], "merged_id": extra["id"], "reason": REASON}
    headers = {ANON: {}, USER: user.headers, REQUESTER: requester.headers, OTHER_ADMIN: other_admin.headers,
               STRANGER: stranger.headers, SCSS: people.staff("scss").headers,
               MANAGEMENT: people.staff("management").headers}[caller]
    before = (await client.get(f"/trade-account-requests/{pending['id']}", headers=requester.headers)).json()
    response = await client.request(method, template.format(request=pending["id"]), json=body, headers=headers)
    assert response.status_code == expected[caller], (endpoint, caller, response.text)
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        after = (await client.get(f"/trade-account-requests/{pending['id']}", headers=requester.headers)).json()
        assert after == before  # a refused request changes nothing
        assert (await client.get("/tasks", headers=requester.headers)).json()["requested"][0]["id"] == pending["id"]


def test_the_matrix_covers_every_operations_route_but_delink():
    """Delink needs a linked pair; test_operations.py proves who may request and approve it."""
    from trade_accounts.api.requests_routes import router

    routes = {(method, route.path_format) for route in router.routes for method in route.methods}
    covered = {(m, t.replace("{request}", "{request_id}")) for m, t, _, _ in MATRIX.values()}
    assert routes - covered == {("POST", "/trade-account-requests/delink")}
