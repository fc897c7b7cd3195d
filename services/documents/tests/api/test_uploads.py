"""DOC-04, DOC-05: an upload names its document type and Security Model, says where it was made, and is held to
a size limit and an allow-list of kinds read from its bytes; each refusal is a problem naming the field."""

from __future__ import annotations

import io
import uuid

import pytest


@pytest.mark.req("DOC-04")
async def test_evidence_uploaded_for_a_criterion_lands_in_the_partner_library_tagged_with_where(
        client, scene, upload, outbox):
    company = await scene.company()
    made = await upload(company.officer, model_id=company.model_id, title="Seal verification procedure",
                        document_type="security_profile_evidence", uploaded_for_kind="security_profile_criterion",
                        criterion_id="4.2")
    assert made["library"] == "partner" and made["security_model_id"] == str(company.model_id)
    assert made["uploaded_for"] == {"kind": "security_profile_criterion", "criterion_id": "4.2",
                                    "validation_id": None, "item_id": None}
    # The Partner Library lists it, and can be filtered to what was uploaded for that criterion.
    listing = (await client.get("/libraries/partner/documents", headers=company.officer.headers, params={
        "security_model_id": str(company.model_id), "criterion_id": "4.2"})).json()
    assert [d["id"] for d in listing["items"]] == [made["id"]]
    # ctpat learns of it from DocumentUploaded, which carries the place in the contract ctpat reads.
    [(event_type, payload)] = await outbox(made["id"])
    assert event_type == "DocumentUploaded.v1"
    assert payload["uploaded_for"] == {"kind": "security_profile_criterion", "criterion_id": "4.2",
                                       "validation_id": None, "item_id": None}
    assert payload["security_model_id"] == str(company.model_id) and payload["file_version"] == 1


@pytest.mark.req("DOC-04")
async def test_a_validation_response_document_says_which_validation_and_item(client, scene, upload, outbox):
    company = await scene.company()
    validation_id, item_id = uuid.uuid4(), uuid.uuid4()
    made = await upload(company.officer, model_id=company.model_id, document_type="validation_response",
                        uploaded_for_kind="validation_response_item", validation_id=str(validation_id),
                        item_id=str(item_id))
    assert made["uploaded_for"]["validation_id"] == str(validation_id)
    assert (await outbox(made["id"]))[0][1]["uploaded_for"]["item_id"] == str(item_id)
    # A place that does not say enough is refused, naming what is missing.
    refused = await upload(company.officer, model_id=company.model_id, uploaded_for_kind="validation_response_item",
                           validation_id=str(validation_id), expect=422)
    assert [e["field"] for e in refused["errors"]] == ["uploaded_for.item_id"]
    # A public library's document is evidence of nothing.
    refused = await upload(scene.admin(), library="ctpat_public", uploaded_for_kind="security_profile_criterion",
                           criterion_id="1.1", expect=422)
    assert "uploaded_for" in [e["field"] for e in refused["errors"]]


@pytest.mark.req("DOC-05")
async def test_an_upload_names_its_document_type_and_security_model(client, scene, upload, fingerprint):
    company = await scene.company()
    before = await fingerprint()
    refused = await upload(company.officer, title="No model", expect=422)
    assert [e["field"] for e in refused["errors"]] == ["security_model_id"]
    refused = await upload(company.officer, model_id=company.model_id, document_type="love_letter", expect=422)
    assert [e["field"] for e in refused["errors"]] == ["document_type"]
    refused = await client.post("/libraries/partner/documents", headers=company.officer.headers,
                                data={"title": "x", "security_model_id": str(company.model_id)},
                                files={"file": ("a.pdf", io.BytesIO(b"%PDF-1.4 x"), "application/pdf")})
    assert refused.status_code == 422 and "document_type" in refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert await fingerprint() == before
    types = (await client.get("/document-types", headers=company.officer.headers)).json()
    assert {"code": "security_profile_evidence", "name": "Security Profile evidence"} in types


@pytest.mark.req("DOC-05")
async def test_a_file_over_the_size_limit_is_refused_before_it_is_stored(client, scene, upload, files, fingerprint,
                                                                       settings):
    company = await scene.company()
    before = await fingerprint()
    too_big = files.pdf() + b"0" * settings.max_upload_bytes
    refused = await upload(company.officer, model_id=company.model_id, data=too_big, expect=413)
    assert refused["type"].endswith("/problems/too-large") and refused["status"] == 413
    assert refused["errors"][0]["field"] == "file" and "limit" in refused["errors"][0]["message"]
    # Just over the limit, inside the multipart allowance: read, then refused all the same.
    nearly = files.pdf() + b"0" * (settings.max_upload_bytes - len(files.pdf()) + 1)
    refused = await upload(company.officer, model_id=company.model_id, data=nearly, expect=413)
    assert refused["errors"][0]["field"] == "file"
    # Exactly the limit is fine.
    exact = files.PDF + b"0" * (settings.max_upload_bytes - len(files.PDF))
    await upload(company.officer, model_id=company.model_id, data=exact)
    assert (await fingerprint()) != before


@pytest.mark.req("DOC-05")
async def test_the_kind_of_file_is_read_from_its_bytes_never_from_its_name(client, scene, upload, files, fingerprint):
    company = await scene.company()
    before = await fingerprint()
    # An executable called a PDF, with a PDF content type: refused, naming the file.
    refused = await upload(company.officer, model_id=company.model_id, data=files.EXE, file_name="policy.pdf",
                           content_type="application/pdf", expect=415)
    assert refused["errors"] == [{"field": "file", "message": "is application/x-msdownload, which is not accepted"}]
    # A page of HTML or a binary blob with no kind at all: refused too.
    await upload(company.officer, model_id=company.model_id, data=b"\x00\x01\x02\x03" * 100, expect=415)
    await upload(company.officer, model_id=company.model_id, data=b"", expect=415)
    assert await fingerprint() == before
    # A PNG called .pdf is kept as what it is.
    made = await upload(company.officer, model_id=company.model_id, data=files.PNG, file_name="photo.pdf",
                        content_type="application/pdf", document_type="photograph")
    assert made["versions"][0]["content_type"] == "image/png"
    # Plain text (any script) is text; CSV is what the client says only among texts.
    text = await upload(company.officer, model_id=company.model_id, data="Ünïcödé 🚚 log\n".encode(),
                        file_name="log.csv", content_type="text/csv")
    assert text["versions"][0]["content_type"] == "text/csv"
    assert text["versions"][0]["sha256"] == files.sha256("Ünïcödé 🚚 log\n".encode())


async def test_odd_titles_are_cleaned_or_refused_by_name(client, scene, upload):
    company = await scene.company()
    made = await upload(company.officer, model_id=company.model_id, title="  Seal   log 🚚 ✓ 封条  ")
    assert made["title"] == "Seal log 🚚 ✓ 封条"
    for title in ("a\x00b", "x" * 201, "   "):
        refused = await upload(company.officer, model_id=company.model_id, title=title, expect=422)
        assert refused["errors"][0]["field"] == "title", title
