"""Every Organization Profile endpoint x every kind of caller, on this account and on someone else's (issue 3, item 6).

Callers: anonymous, a user of the account, its Company Administrator, a user of
another account (a stranger here), an SCSS and Management. A stranger gets 404
for the account's own resources: not even its existence is told. The harness
(servicekit.testing.authorization) checks each status and that a refusal
changed nothing in the database.
"""

from __future__ import annotations

from servicekit.auth import StaffRole
from servicekit.testing.authorization import Endpoint, Matrix
from trade_accounts.api import routes

ANON, USER, ADMIN, STRANGER, SCSS, MANAGEMENT = "anonymous", "user", "admin", "stranger", "scss", "management"

PERSON = {"salutation": "Dr.", "first_name": "Di", "last_name": "Ng", "title": "Director", "phone": "+1 212 555 0123",
          "type": "user"}


def company(scene, **changes) -> dict:
    return {**scene["bodies"].company["company_information"], **changes}


MATRIX = Matrix(callers=[ANON, USER, ADMIN, STRANGER, SCSS, MANAGEMENT], endpoints={
    "create account": Endpoint("POST", "/trade-accounts", body={"company_information": {"company_name": "New Co"}},
                               expected={ANON: 401, USER: 201, ADMIN: 201, STRANGER: 201, SCSS: 403, MANAGEMENT: 403}),
    "navigation": Endpoint("GET", "/navigation",
                           {ANON: 401, USER: 200, ADMIN: 200, STRANGER: 200, SCSS: 200, MANAGEMENT: 200}),
    "read account": Endpoint("GET", "/trade-accounts/{account}",
                             {ANON: 401, USER: 200, ADMIN: 200, STRANGER: 404, SCSS: 200, MANAGEMENT: 200}),
    "summary": Endpoint("GET", "/trade-accounts/{account}/summary",
                        {ANON: 401, USER: 200, ADMIN: 200, STRANGER: 404, SCSS: 200, MANAGEMENT: 200}),
    "summary pdf": Endpoint("GET", "/trade-accounts/{account}/summary.pdf",
                            {ANON: 401, USER: 200, ADMIN: 200, STRANGER: 404, SCSS: 200, MANAGEMENT: 200}),
    # Only the rows that decide a rule carry its tag: who edits Company Information and who renames (TA-02).
    "edit company information": Endpoint(
        "PUT", "/trade-accounts/{account}/company-information",
        {ANON: 401, USER: 200, ADMIN: 200, STRANGER: 404, SCSS: 403, MANAGEMENT: 403},
        body=lambda scene: company(scene, number_of_employees=300), rule="TA-02"),
    "rename company": Endpoint(
        "PUT", "/trade-accounts/{account}/company-information",
        {ANON: 401, USER: 403, ADMIN: 403, STRANGER: 404, SCSS: 403, MANAGEMENT: 200},
        body=lambda scene: company(scene, company_name="Renamed LLC"), rule="TA-02"),
    "add address": Endpoint("POST", "/trade-accounts/{account}/addresses",
                            {ANON: 401, USER: 201, ADMIN: 201, STRANGER: 404, SCSS: 403, MANAGEMENT: 403},
                            body=lambda scene: scene["bodies"].address),
    "change address": Endpoint("PUT", "/trade-accounts/{account}/addresses/{address}",
                               {ANON: 401, USER: 200, ADMIN: 200, STRANGER: 404, SCSS: 403, MANAGEMENT: 403},
                               body=lambda scene: scene["bodies"].address),
    "remove address": Endpoint("DELETE", "/trade-accounts/{account}/addresses/{address}",
                               {ANON: 401, USER: 204, ADMIN: 204, STRANGER: 404, SCSS: 403, MANAGEMENT: 403}),
    "add user": Endpoint("POST", "/trade-accounts/{account}/users",
                         {ANON: 401, USER: 403, ADMIN: 201, STRANGER: 404, SCSS: 403, MANAGEMENT: 403},
                         body=lambda scene: scene["bodies"].new_user(f"invitee-{scene['caller']}@example.com")),
    "change user": Endpoint("PUT", "/trade-accounts/{account}/users/{member}",
                            {ANON: 401, USER: 403, ADMIN: 200, STRANGER: 404, SCSS: 403, MANAGEMENT: 403}, body=PERSON),
    "remove user": Endpoint("DELETE", "/trade-accounts/{account}/users/{member}",
                            {ANON: 401, USER: 403, ADMIN: 204, STRANGER: 404, SCSS: 403, MANAGEMENT: 403}),
})


@MATRIX.parametrize
async def test_each_caller_gets_exactly_what_they_may(client, people, bodies, fingerprint, endpoint, caller):
    admin = await people.registered()
    user = await people.registered()
    stranger = await people.registered()
    account = (await client.post("/trade-accounts", json=bodies.company, headers=admin.headers)).json()
    base = f"/trade-accounts/{account['id']}"
    assert (await client.post(f"{base}/users", json=bodies.new_user(user.email), headers=admin.headers)).status_code == 201
    other = await people.registered()
    extra = (await client.post(f"{base}/users", json=bodies.new_user(other.email), headers=admin.headers)).json()
    address = (await client.post(f"{base}/addresses", json=bodies.address, headers=admin.headers)).json()
    # the stranger has an account of their own: being a user somewhere gives nothing here
    await client.post("/trade-accounts", json=bodies.company, headers=stranger.headers)

    headers = {ANON: {}, USER: user.headers, ADMIN: admin.headers, STRANGER: stranger.headers,
               SCSS: people.staff(StaffRole.SCSS).headers, MANAGEMENT: people.staff(StaffRole.MANAGEMENT).headers}
    await MATRIX.check(client, endpoint, caller, headers=headers, fingerprint=fingerprint, values={
        "account": account["id"], "address": address["id"], "member": extra["id"], "bodies": bodies})


def test_the_matrix_covers_every_organization_profile_route():
    assert MATRIX.uncovered(routes.router) == set()
