"""No input to any trade-accounts endpoint gives a 500; every refusal is problem+json (PL-07)."""

from __future__ import annotations

import json

import pytest

JUNK_BODIES = [
    b"",
    b"null",
    b"[]",
    b"\"text\"",
    b"{\"company_information\": {\"company_name\": {\"$ne\": null}}}",
    json.dumps({"company_name": "x" * 10_000, "number_of_employees": 10**30, "business_start_date": "2026-02-30"}).encode(),
    json.dumps({"type": "headquarters", "country": "U\u0000S", "state": "\u202e", "postal_code": "'; drop table x;--"}).encode(),
    json.dumps({"email": "a@b", "confirm_email": None, "type": "owner", "salutation": "King"}).encode(),
    json.dumps({"requesting_account_id": "not-a-uuid", "reason": ["list"], "security_model_ids": "x"}).encode(),
    json.dumps({"decision": "maybe", "reason": 7}).encode(),
    b"\xff\xfe\x00garbage",
]
PATH_VALUES = {"{account_id}": "not-a-uuid", "{address_id}": "00000000-0000-0000-0000-000000000000",
               "{member_id}": "%00", "{request_id}": "00000000-0000-0000-0000-000000000000"}


@pytest.mark.req("PL-07")
async def test_no_junk_input_to_any_endpoint_gives_a_500(client, app, account):
    body, admin = account
    for route in app.routes:
        for method in getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}:
            paths = [route.path]
            if "{account_id}" in route.path:
                paths.append(route.path.replace("{account_id}", body["id"]))
            for path in paths:
                for placeholder, value in PATH_VALUES.items():
                    path = path.replace(placeholder, value)
                for junk in JUNK_BODIES:
                    response = await client.request(
                        method, path, content=junk, headers={**admin.headers, "content-type": "application/json"}
                    )
                    assert response.status_code < 500, (method, path, junk[:40], response.text[:300])
                    if response.status_code >= 400:
                        assert response.headers["content-type"] == "application/problem+json"
    after = (await client.get(f"/trade-accounts/{body['id']}", headers=admin.headers)).json()
    assert after["version"] == body["version"]  # nothing above changed the account
