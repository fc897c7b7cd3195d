"""Validations and the Validation Response (CT-15)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from ctpat.consumers import document_handlers

from portal_events import Envelope
from portal_events.documents import DocumentRemoved, DocumentUploaded, UploadedFor

VALIDATION = {"validation_date": "2026-10-01", "result": "meets", "report": "Site visit in Laredo; seals audited.",
              "recommendations": ["Log seal numbers electronically."],
              "actions_required": ["Train dock staff on 7-point inspections.", "Fix the east fence."]}


async def _record(client, certified, body=VALIDATION):
    return await client.post(f"/security-models/{certified.model['id']}/validations", json=body,
                             headers=certified.scss.headers)


@pytest.mark.req("CT-15")
async def test_the_scss_records_a_validation_and_the_summary_lists_them_all(client, certify, fingerprint):
    certified = await certify("importer")
    before = await fingerprint()
    assert (await client.post(f"/security-models/{certified.model['id']}/validations", json=VALIDATION,
                              headers=certified.company.admin.headers)).status_code == 403
    future = await _record(client, certified, {**VALIDATION, "validation_date": "2999-01-01"})
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "validation_date"
    assert await fingerprint() == before

    first = await _record(client, certified)
    second = await _record(client, certified, {"validation_date": "2026-11-01", "result": "exceeds",
                                               "report": "Follow-up: all actions closed."})

    assert first.status_code == 201 and second.status_code == 201
    assert [(i["kind"], i["reply"]) for i in first.json()["items"]] == [
        ("recommendation", None), ("action_required", None), ("action_required", None)]
    assert first.json()["response_state"] == "pending" and second.json()["response_state"] == "not_required"
    summary = await client.get(f"/security-models/{certified.model['id']}/validations",
                               headers=certified.company.admin.headers)
    assert [(v["validation_date"], v["response_state"]) for v in summary.json()] == [
        ("2026-11-01", "not_required"), ("2026-10-01", "pending")]


@pytest.mark.req("CT-15")
async def test_the_response_is_answered_item_by_item_saved_as_draft_and_submitted_once(
    client, certify, runtime, fingerprint,
):
    certified = await certify("importer")
    validation = (await _record(client, certified)).json()
    url = f"/security-models/{certified.model['id']}/validations/{validation['id']}"
    admin = certified.company.admin.headers
    first, *others = validation["items"]

    draft = await client.put(f"{url}/items/{first['id']}/reply", json={"reply": "We log seals in the TMS now."},
                             headers=admin)
    assert draft.status_code == 200 and draft.json()["response_state"] == "pending"
    before = await fingerprint()
    early = await client.post(f"{url}/response", headers=admin)
    assert early.status_code == 409
    assert {e["field"] for e in early.json()["errors"]} == {f"items.{i['id']}" for i in others}
    assert await fingerprint() == before

    # Evidence uploaded for an item arrives from the documents service.
    event = DocumentUploaded(
        document_id=uuid.uuid4(), occurred_at=datetime.now(UTC), library="partner",
        security_model_id=uuid.UUID(certified.model["id"]), title="Training roster.pdf", document_type="training",
        content_type="application/pdf", size_bytes=10, uploaded_by=certified.company.admin.user_id, version=1,
        uploaded_for=UploadedFor(kind="validation_response_item", validation_id=uuid.UUID(validation["id"]),
                                 item_id=uuid.UUID(others[0]["id"])))
    async with runtime.database.transaction() as session:
        await document_handlers()[event.event_type](session, Envelope(
            type=event.event_type, source="documents", subject=event.aggregate_id, data=event.model_dump(mode="json")))

    for item in others:
        r = await client.put(f"{url}/items/{item['id']}/reply", json={"reply": "Done; see the upload."},
                             headers=admin)
        assert r.status_code == 200
    submitted = await client.post(f"{url}/response", headers=admin)

    assert submitted.status_code == 200 and submitted.json()["response_state"] == "submitted"
    shown = (await client.get(url, headers=admin)).json()
    assert [d["title"] for d in shown["items"][1]["documents"]] == ["Training roster.pdf"]
    assert (await client.post(f"{url}/response", headers=admin)).status_code == 409
    assert (await client.put(f"{url}/items/{first['id']}/reply", json={"reply": "changed"},
                             headers=admin)).status_code == 409


async def _from_documents(runtime, event) -> None:
    """The event as ctpat's worker receives it from the documents service's topic."""
    async with runtime.database.transaction() as session:
        await document_handlers()[event.event_type](session, Envelope(
            type=event.event_type, source="documents", subject=event.aggregate_id, data=event.model_dump(mode="json")))


@pytest.mark.req("DOC-04")
async def test_a_document_removed_from_its_library_is_evidence_of_nothing_any_more(
    client, certify, runtime, fingerprint,
):
    certified = await certify("importer")
    model_id, admin = uuid.UUID(certified.model["id"]), certified.company.admin.headers
    profile_url = f"/security-models/{model_id}/profile"
    before = (await client.get(profile_url, headers=admin)).json()
    evidence = {c["id"]: [d["document_id"] for d in c["documents"]]
                for cat in before["categories"] for c in cat["criteria"] if c["documents"]}
    criterion_id, (document_id,) = next(iter(evidence.items()))
    validation = (await _record(client, certified)).json()
    validation_url = f"/security-models/{model_id}/validations/{validation['id']}"
    item = validation["items"][0]
    item_document = uuid.uuid4()
    await _from_documents(runtime, DocumentUploaded(
        document_id=item_document, occurred_at=datetime.now(UTC), library="partner", security_model_id=model_id,
        title="Seal log.pdf", document_type="policy_procedure", content_type="application/pdf", size_bytes=10,
        uploaded_by=certified.company.admin.user_id, version=1,
        uploaded_for=UploadedFor(kind="validation_response_item", validation_id=uuid.UUID(validation["id"]),
                                 item_id=uuid.UUID(item["id"]))))
    assert [d["title"] for d in (await client.get(validation_url, headers=admin)).json()["items"][0]["documents"]] \
        == ["Seal log.pdf"]

    for removed in (uuid.UUID(document_id), item_document):
        await _from_documents(runtime, DocumentRemoved(
            document_id=removed, occurred_at=datetime.now(UTC), library="partner", security_model_id=model_id,
            removed_by=certified.company.admin.user_id, version=2))

    after = (await client.get(profile_url, headers=admin)).json()
    shown = {c["id"]: [d["document_id"] for d in c["documents"]]
             for cat in after["categories"] for c in cat["criteria"] if c["documents"]}
    assert shown == {k: v for k, v in evidence.items() if k != criterion_id}  # only that document's evidence went
    assert {g["criterion_id"]: g["problem"] for g in after["gaps"]} == {criterion_id: "evidence_missing"}
    assert (await client.get(validation_url, headers=admin)).json()["items"][0]["documents"] == []

    # Delivered again, or about a document that was never evidence: nothing changes.
    unchanged = await fingerprint()
    for removed in (uuid.UUID(document_id), uuid.uuid4()):
        await _from_documents(runtime, DocumentRemoved(
            document_id=removed, occurred_at=datetime.now(UTC), library="partner", security_model_id=model_id,
            removed_by=certified.company.admin.user_id, version=2))
    assert await fingerprint() == unchanged


@pytest.mark.req("CT-20")
async def test_validations_are_seen_only_by_the_models_people(client, certify, companies):
    certified = await certify("importer")
    validation = (await _record(client, certified)).json()
    stranger = (await companies.company()).admin
    url = f"/security-models/{certified.model['id']}/validations"
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    assert (await client.get(f"{url}/{validation['id']}", headers=stranger.headers)).status_code == 404
    item = validation["items"][0]["id"]
    assert (await client.put(f"{url}/{validation['id']}/items/{item}/reply", json={"reply": "x"},
                             headers=stranger.headers)).status_code == 404
