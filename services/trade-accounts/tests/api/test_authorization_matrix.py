"""Every endpoint x every kind of caller, on this account and on someone else's (issue 3, item 6).

Callers: anonymous, a user of the account, its Company Administrator, a user of
another account (a stranger here), an SCSS and Management. A stranger gets 404
for the account's own resources: not even its existence is told.
"""

from __future__ import annotations

import pytest

ANON, USER, ADMIN, STRANGER, SCSS, MANAGEMENT = "anonymous", "user", "admin", "stranger", "scss", "management"
CALLERS = [ANON, USER, ADMIN, STRANGER, SCSS, MANAGEMENT]

PERSON = {"salutation": "Dr.", "first_name": "Di", "last_name": "Ng", "title": "Director", "phone": "+1 212 555 0123",
          "type": "user"}

# endpoint name -> (method, path template, body, expected status per caller)
MATRIX = {
    "create account": ("POST", "/trade-accounts", {"company_information": {"company_name": "New Co"}},
                       {ANON: 401, USER: 201, ADMIN: 201, STRANGER: 201, SCSS: 403, MANAGEMENT: 403}),
    "navigation": ("GET", "/navigation", None,
                   {ANON: 401, USER: 200, ADMIN: 200, STRANGER: 200, SCSS: 200, MANAGEMENT: 200}),
    "read account": ("GET", "/trade-accounts/{account}", None,
                     {ANON: 401, USER: 200, ADMIN: 200, STRANGER: 404, SCSS: 200, MANAGEMENT: 200}),
    "summary": ("GET", "/trade-accounts/{account}/summary", None,
                {ANON: 401, USER: 200, ADMIN: 200, STRANGER: 404, SCSS: 200, MANAGEMENT: 200}),
    "summary pdf": ("GET", "/trade-accounts/{account}/summary.pdf", None,
                    {ANON: 401, USER: 200, ADMIN: 200, STRANGER: 404, SCSS: 200, MANAGEMENT: 200}),
    "edit company information": ("PUT", "/trade-accounts/{account}/company-information", "more employees",
                                 {ANON: 401, USER: 200, ADMIN: 200, STRANGER: 404, SCSS: 403, MANAGEMENT: 403}),
    "rename company": ("PUT", "/trade-accounts/{account}/company-information", "new name",
                       {ANON: 401, USER: 403, ADMIN: 403, STRANGER: 404, SCSS: 403, MANAGEMENT: 200}),
    "add address": ("POST", "/trade-accounts/{account}/addresses", "address",
                    {ANON: 401, USER: 201, ADMIN: 201, STRANGER: 404, SCSS: 403, MANAGEMENT: 403}),
    "change address": ("PUT", "/trade-accounts/{account}/addresses/{address}", "address",
                       {ANON: 401, USER: 200, ADMIN: 200, STRANGER: 404, SCSS: 403, MANAGEMENT: 403}),
    "remove address": ("DELETE", "/trade-accounts/{account}/addresses/{address}", None,
                       {ANON: 401, USER: 204, ADMIN: 204, STRANGER: 404, SCSS: 403, MANAGEMENT: 403}),
    "add user": ("POST", "/trade-accounts/{account}/users", "new user",
                 {ANON: 401, USER: 403, ADMIN: 201, STRANGER: 404, SCSS: 403, MANAGEMENT: 403}),
    "change user": ("PUT", "/trade-accounts/{account}/users/{member}", PERSON,
                    {ANON: 401, USER: 403, ADMIN: 200, STRANGER: 404, SCSS: 403, MANAGEMENT: 403}),
    "remove user": ("DELETE", "/trade-accounts/{account}/users/{member}", None,
                    {ANON: 401, USER: 403, ADMIN: 204, STRANGER: 404, SCSS: 403, MANAGEMENT: 403}),
}


# Only the rows that decide a rule carry its tag: who edits Company Information and who renames (TA-02).
RULE_OF_ROW = {"edit company information": "TA-02", "rename company": "TA-02"}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", [
    pytest.param(e, marks=pytest.mark.req(RULE_OF_ROW[e])) if e in RULE_OF_ROW else e for e in MATRIX])
async def test_each_caller_gets_exactly_what_they_may(client, people, bodies, endpoint, caller):
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
               SCSS: people.staff("scss").headers, MANAGEMENT: people.staff("management").headers}[caller]
    method, template, body, expected = MATRIX[endpoint]
    path = template.format(account=account["id"], address=address["id"], member=extra["id"])
    info = bodies.company["company_information"]
    if body == "more employees":
        body = {**info, "number_of_employees": 300}
    elif body == "new name":
        body = {**info, "company_name": "Renamed LLC"}
    elif body == "address":
        body = bodies.address
    elif body == "new user":
        body = bodies.new_user(f"invitee-{caller}@example.com")
    before = (await client.get(base, headers=admin.headers)).json()
    response = await client.request(method, path, json=body, headers=headers)
    assert response.status_code == expected[caller], (endpoint, caller, response.text)
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        after = (await client.get(base, headers=admin.headers)).json()
        assert after == before  # a refused request changes nothing
