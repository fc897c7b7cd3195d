"""Uploads straight to object storage: a presigned form whose policy the store enforces (key, size, SHA-256),
then the service checks what landed before anything is listed; what fails is removed, bytes and all."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest


async def _start(client, who, model_id, data: bytes, files, *, library: str = "partner", **extra) -> dict:
    body = {"document_type": "policy_procedure", "title": "Access control policy", "file_name": "access.pdf",
            "content_type": "application/pdf", "size_bytes": len(data), "sha256": files.sha256(data), **extra}
    if model_id is not None:
        body["security_model_id"] = str(model_id)
    response = await client.post(f"/libraries/{library}/uploads", headers=who.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _post_form(form: dict, data: bytes) -> httpx.Response:
    """The browser's part: the form's fields, then the file, straight to the store (never through the service)."""
    with httpx.Client(timeout=30) as s3:
        return s3.post(form["url"], data=form["fields"], files={"file": ("access.pdf", data)})


async def _listed(client, who, model_id) -> list[str]:
    page = await client.get("/libraries/partner/documents", headers=who.headers,
                            params={"security_model_id": str(model_id)})
    return [d["id"] for d in page.json()["items"]]


@pytest.mark.req("DOC-05")
async def test_bytes_posted_to_the_store_are_listed_only_once_the_service_checked_them(
        client, scene, files, runtime, outbox):
    company = await scene.company()
    data = files.pdf("straight to storage")
    form = await _start(client, company.officer, company.model_id, data, files)
    assert form["fields"]["key"].startswith("documents/")
    # Started, not completed: nothing is listed, nothing announced.
    assert await _listed(client, company.officer, company.model_id) == []
    early = await client.post(f"/uploads/{form['upload_id']}/complete", headers=company.officer.headers)
    assert early.status_code == 409 and "Nothing has been uploaded" in early.json()["detail"]
    assert _post_form(form, data).status_code in (200, 201, 204)
    done = await client.post(f"/uploads/{form['upload_id']}/complete", headers=company.officer.headers)
    assert done.status_code == 201, done.text
    document = done.json()
    assert document["versions"][0]["sha256"] == files.sha256(data)
    assert document["versions"][0]["content_type"] == "application/pdf"
    assert await _listed(client, company.officer, company.model_id) == [document["id"]]
    assert [t for t, _ in await outbox(document["id"])] == ["DocumentUploaded.v1"]
    # Completing twice lists nothing twice.
    again = await client.post(f"/uploads/{form['upload_id']}/complete", headers=company.officer.headers)
    assert again.status_code == 404


@pytest.mark.req("DOC-05")
async def test_the_store_refuses_other_bytes_than_the_form_promised(client, scene, files):
    company = await scene.company()
    data = files.pdf("promised")
    form = await _start(client, company.officer, company.model_id, data, files)
    # Same size, other bytes: the store checks the SHA-256 itself.
    tampered = bytearray(data)
    tampered[-2] ^= 0xFF
    assert _post_form(form, bytes(tampered)).status_code == 400
    # More bytes than promised: refused by the policy's size range.
    assert _post_form(form, data + b"extra").status_code in (400, 403)
    # Another key than the form's: refused by the policy.
    other = {**form, "fields": {**form["fields"], "key": f"documents/{uuid.uuid4()}"}}
    assert _post_form(other, data).status_code == 403
    assert (await client.post(f"/uploads/{form['upload_id']}/complete",
                              headers=company.officer.headers)).status_code == 409


@pytest.mark.req("DOC-05")
async def test_bytes_of_a_refused_kind_are_removed_from_the_store(client, scene, files, runtime, fingerprint):
    company = await scene.company()
    form = await _start(client, company.officer, company.model_id, files.EXE, files)
    assert _post_form(form, files.EXE).status_code in (200, 201, 204)
    store = runtime.context.store
    key = form["fields"]["key"]
    assert await store.landed(key, 1) is not None
    before = await fingerprint()
    refused = await client.post(f"/uploads/{form['upload_id']}/complete", headers=company.officer.headers)
    assert refused.status_code == 415 and refused.json()["errors"][0]["field"] == "file"
    assert await store.landed(key, 1) is None  # nothing half-uploaded is kept
    assert await fingerprint() == before
    assert await _listed(client, company.officer, company.model_id) == []


@pytest.mark.req("DOC-05")
async def test_a_declared_size_over_the_limit_gets_no_form(client, scene, files, settings, fingerprint):
    company = await scene.company()
    before = await fingerprint()
    response = await client.post("/libraries/partner/uploads", headers=company.officer.headers, json={
        "security_model_id": str(company.model_id), "document_type": "other", "title": "Huge",
        "size_bytes": settings.max_upload_bytes + 1, "sha256": "0" * 64})
    assert response.status_code == 413 and response.json()["errors"][0]["field"] == "file"
    bad = await client.post("/libraries/partner/uploads", headers=company.officer.headers, json={
        "security_model_id": str(company.model_id), "document_type": "other", "title": "Huge",
        "size_bytes": 10, "sha256": "not-hex"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("sha256")
    assert await fingerprint() == before


async def test_uploads_never_completed_are_swept_with_their_bytes(client, scene, files, runtime, session_clock):
    from documents.use_cases import sweep_expired_uploads

    company = await scene.company()
    data = files.pdf("abandoned")
    form = await _start(client, company.officer, company.model_id, data, files)
    _post_form(form, data)
    key = form["fields"]["key"]
    assert await runtime.context.store.landed(key, 1) is not None
    session_clock.advance(dt.timedelta(hours=1))  # the form expired (tokens too: the API is asked afterwards)
    try:
        swept = 0
        for _ in range(100):  # other tests' expired uploads may come first; each pass takes a batch
            swept += await sweep_expired_uploads(runtime.database, runtime.context)
            if await runtime.context.store.landed(key, 1) is None:
                break
    finally:
        session_clock.advance(-dt.timedelta(hours=1))
    assert swept >= 1 and await runtime.context.store.landed(key, 1) is None
    late = await client.post(f"/uploads/{form['upload_id']}/complete", headers=company.officer.headers)
    assert late.status_code == 404


async def test_only_who_started_an_upload_completes_it(client, scene, files):
    company = await scene.company()
    contact = await scene.add_contact(company)
    data = files.pdf()
    form = await _start(client, company.officer, company.model_id, data, files)
    _post_form(form, data)
    response = await client.post(f"/uploads/{form['upload_id']}/complete", headers=contact.headers)
    assert response.status_code == 404
    assert (await client.post(f"/uploads/{form['upload_id']}/complete",
                              headers=company.officer.headers)).status_code == 201
