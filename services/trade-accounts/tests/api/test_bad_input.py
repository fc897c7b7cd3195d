"""No input to any trade-accounts route gives a 500; every refusal is problem+json and changes nothing (PL-07).

servicekit.testing.junk makes the junk from each route's OpenAPI description;
here is only what it cannot know: a caller who may use the route, real ids,
and valid bodies to make wrong one field at a time.
"""

from __future__ import annotations

import pytest

from servicekit.health import health_router
from servicekit.testing import junk
from trade_accounts.api import requests_routes, routes

OPERATIONS = junk.operations(routes.router, requests_routes.router, health_router())
REASON = "Acme Holdings acquired Beta Freight in 2026; one organisation now."


def valid_body(operation: junk.Operation, bodies, ids: dict[str, str]) -> dict | None:
    """A body the route would take, so that each junk field is the only thing wrong."""
    person = {k: v for k, v in bodies.new_user("someone@example.com").items() if k not in ("email", "confirm_email")}
    return {
        "/trade-accounts": bodies.company,
        "/trade-accounts/{account_id}/company-information": bodies.company["company_information"],
        "/trade-accounts/{account_id}/addresses": bodies.address,
        "/trade-accounts/{account_id}/addresses/{address_id}": bodies.address,
        "/trade-accounts/{account_id}/users": bodies.new_user("invitee@example.com"),
        "/trade-accounts/{account_id}/users/{member_id}": person,
        "/trade-account-requests/link": {"requesting_account_id": ids["account_id"], "parent_id": ids["account_id"],
                                         "subsidiary_id": ids["other_id"], "reason": REASON},
        "/trade-account-requests/delink": {"requesting_account_id": ids["account_id"],
                                           "subsidiary_id": ids["other_id"], "reason": REASON},
        "/trade-account-requests/split": {"source_id": ids["account_id"], "new_company_name": "Spin-off",
                                          "reason": REASON},
        "/trade-account-requests/merge": {"requesting_account_id": ids["account_id"], "survivor_id": ids["account_id"],
                                          "merged_id": ids["other_id"], "reason": REASON},
        "/trade-account-requests/{request_id}/decision": {"decision": "approved"},
    }.get(operation.path)


@pytest.mark.req("PL-07")
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
async def test_junk_input_never_gives_a_500_and_changes_nothing(
    client, app, runtime, people, bodies, fingerprint, operation
):
    admin = await people.registered()
    account = (await client.post("/trade-accounts", json=bodies.company, headers=admin.headers)).json()
    other = (await client.post("/trade-accounts", json=bodies.company, headers=admin.headers)).json()
    base = f"/trade-accounts/{account['id']}"
    address = (await client.post(f"{base}/addresses", json=bodies.address, headers=admin.headers)).json()
    member = (await client.post(f"{base}/users", json=bodies.new_user("member@example.com"), headers=admin.headers))
    request = await client.post("/trade-account-requests/link", headers=admin.headers, json={
        "requesting_account_id": account["id"], "parent_id": account["id"], "subsidiary_id": other["id"],
        "reason": REASON})
    ids = {"account_id": account["id"], "other_id": other["id"], "address_id": address["id"],
           "member_id": member.json()["id"], "request_id": request.json()["id"]}
    await junk.check(client, app, operation, headers=admin.headers, path_values=ids,
                     body=valid_body(operation, bodies, ids), fingerprint=fingerprint)


def test_every_route_is_checked(app):
    assert junk.unlisted(app, OPERATIONS) == set()
