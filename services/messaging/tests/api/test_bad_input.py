"""No input to any messaging route gives a 500; every refusal is problem+json and changes nothing (PL-07).

servicekit.testing.junk makes the junk from each route's OpenAPI description; here is only what it cannot know:
a caller who may use the route (the Officer, a contact of the model), real ids (the model, a thread of it), and
valid bodies to make wrong one field at a time (a Partner Library document of the model attached, so that a wrong
`document_id` is the only thing wrong).
"""

from __future__ import annotations

import pytest
from messaging.api import routes

from servicekit.health import health_router
from servicekit.testing import junk

OPERATIONS = junk.operations(routes.router, health_router())


def valid_body(operation: junk.Operation, ids: dict[str, str]) -> dict | None:
    return {
        "/security-models/{model_id}/threads": {"subject": "Seal audit question", "body": "When is it due?",
                                                "document_id": ids["document_id"]},
        "/threads/{thread_id}/messages": {"body": "Next month.", "document_id": ids["document_id"]},
        "/me/notification-settings": {"email_notices": False},
    }.get(operation.path)


@pytest.mark.req("PL-07")
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
async def test_junk_input_never_gives_a_500_and_changes_nothing(client, app, scene, events, fingerprint, operation):
    company = await scene.company()
    document_id = await events.document(company)
    started = await client.post(f"/security-models/{company.model_id}/threads", headers=company.officer.headers,
                                json={"subject": "Seal audit question", "body": "When is the seal audit due?"})
    assert started.status_code == 201, f"setting the scene: {started.text[:300]}"
    ids = {"model_id": str(company.model_id), "thread_id": started.json()["id"], "document_id": str(document_id)}
    await junk.check(client, app, operation, headers=company.officer.headers, path_values=ids,
                     body=valid_body(operation, ids), fingerprint=fingerprint)


def test_every_route_is_checked(app):
    assert junk.unlisted(app, OPERATIONS) == set()
