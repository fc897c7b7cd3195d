"""No input to any documents route gives a 500; every refusal is problem+json and changes nothing (PL-07).

servicekit.testing.junk makes the junk from each route's OpenAPI description; here is only what it cannot know:
a caller who may use the route (the model's Officer), real ids, and valid bodies to make wrong one field at a
time. Uploads' multipart forms get the same junk (sent as JSON, and as no form at all): refused, never a 500.
"""

from __future__ import annotations

import pytest
from documents.api import routes

from servicekit.health import health_router
from servicekit.testing import junk

OPERATIONS = junk.operations(routes.router, routes.uploads, health_router())


def valid_body(operation: junk.Operation, ids: dict[str, str], files) -> dict | None:
    data = files.pdf("junk check")
    declared = {"file_name": "seal.pdf", "content_type": "application/pdf", "size_bytes": len(data),
                "sha256": files.sha256(data)}
    return {
        "/libraries/{library}/uploads": {"security_model_id": ids["model_id"], "document_type": "other",
                                         "title": "Seal log", **declared},
        "/documents/{document_id}/uploads": {"title": "Seal log 2", **declared},
        "/documents/{document_id}": {"title": "Seal log, revised"},
        "/documents/{document_id}/tags": {"tags": ["Seals"]},
    }.get(operation.path)


@pytest.mark.req("PL-07")
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
async def test_junk_input_never_gives_a_500_and_changes_nothing(client, app, scene, upload, files, fingerprint,
                                                                 operation):
    company = await scene.company()
    document = await upload(company.officer, model_id=company.model_id)
    data = files.pdf("pending")
    started = await client.post("/libraries/partner/uploads", headers=company.officer.headers, json={
        "security_model_id": str(company.model_id), "document_type": "other", "title": "Pending",
        "size_bytes": len(data), "sha256": files.sha256(data)})
    ids = {"library": "partner", "model_id": str(company.model_id), "document_id": document["id"],
           "upload_id": started.json()["upload_id"]}
    await junk.check(client, app, operation, headers=company.officer.headers, path_values=ids,
                     body=valid_body(operation, ids, files), fingerprint=fingerprint)


def test_every_route_is_checked(app):
    assert junk.unlisted(app, OPERATIONS) == set()
