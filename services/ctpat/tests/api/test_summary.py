"""The Security Model Summary and its PDF (CT-10), seen only by those who may see the model (CT-20)."""

from __future__ import annotations

import io
import re
import time
import uuid

import pytest
from ctpat.catalogue import current
from ctpat.domain.actors import Actor
from ctpat.summary_pdf import summary_pdf
from ctpat.use_cases import show_profile
from pypdf import PdfReader

from servicekit.auth import StaffRole

ODD = "Zoë ✓ 東京 <b>& Łódź"
NOT_APPLICABLE = "We ship no cargo by rail, ever — 鉄道なし."
EVIDENCE_TITLE = "Seal log Zoë 2026.pdf"
_FOOTER = re.compile(r"C-TPAT Security Model [0-9a-f-]{36}\s*Page \d+")


def pdf_text(content: bytes) -> str:
    """The PDF's text with its whitespace collapsed and the page footers left out (a paragraph may run on
    past one)."""
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(_FOOTER.sub(" ", page.extract_text()).split()) for page in pages)


def _criteria(profile: dict) -> list[dict]:
    return [c for category in profile["categories"] for c in category["criteria"]]


async def _filled(client, applied, complete, evidence) -> tuple[dict, object, dict[str, str]]:
    """A completed importer model, one criterion answered with odd characters, one Not Applicable, one with a
    named document; returns the model, its company and those criteria's ids."""
    model, company = applied
    await complete(model, company)
    url = f"/security-models/{model['id']}/profile"
    criteria = _criteria((await client.get(url, headers=company.admin.headers)).json())
    odd, not_applicable = criteria[1], criteria[2]
    with_document = next(c for c in criteria if c["evidence_required"])
    for criterion, body in ((odd, {"response": f"We check every seal. {ODD}"}),
                            (not_applicable, {"not_applicable": True, "reason": NOT_APPLICABLE})):
        r = await client.put(f"{url}/{criterion['id']}", headers=company.admin.headers,
                             json={**body, "revision": criterion["response"]["revision"]})
        assert r.status_code == 200, r.text
    await evidence(model["id"], with_document["id"], title=EVIDENCE_TITLE)
    return model, company, {"odd": odd["id"], "not_applicable": not_applicable["id"],
                            "with_document": with_document["id"]}


@pytest.mark.req("CT-10")
async def test_the_summary_shows_the_whole_model_and_every_criterion_with_its_response(
    client, applied, complete, evidence,
):
    model, company, ids = await _filled(client, applied, complete, evidence)
    response = await client.get(f"/security-models/{model['id']}/summary", headers=company.admin.headers)

    assert response.status_code == 200, response.text
    summary = response.json()
    # The model and its profile exactly as their own views show them.
    url = f"/security-models/{model['id']}"
    assert summary == {"security_model": (await client.get(url, headers=company.admin.headers)).json(),
                       "profile": (await client.get(f"{url}/profile", headers=company.admin.headers)).json()}
    shown = summary["security_model"]
    assert shown["id"] == model["id"] and shown["company_name"] == "Acme Imports LLC"
    (business_type,) = shown["business_types"]
    assert business_type["code"] == "importer" and business_type["account_number"] == \
        model["business_types"][0]["account_number"]
    assert business_type["sub_type"] and business_type["eligibility_answers"]
    assert [(a["designation"], a["line"]) for a in shown["addresses"]] == [
        ("primary", "1300 Pennsylvania Ave NW, Washington, DC, 20229, US"),
        ("secondary", "1300 Pennsylvania Ave NW, Washington, DC, 20229, US")]
    (contact,) = shown["contacts"]
    assert (contact["type"], contact["primary_poc"], contact["name"], contact["email"]) == (
        "officer", True, "Ana Lopez", company.admin.email)
    assert [e["status"] for e in shown["status_history"]] == ["applicant"]

    profile = summary["profile"]
    criteria = _criteria(profile)
    assert [c["id"] for c in criteria] == [c.id for c in current().criteria_for(["importer"])]
    assert profile["complete"] and profile["answered"] == profile["total"] == len(criteria)
    assert all(c["response"] is not None for c in criteria)
    by_id = {c["id"]: c for c in criteria}
    assert by_id[ids["odd"]]["response"]["response"] == f"We check every seal. {ODD}"
    assert by_id[ids["not_applicable"]]["response"]["not_applicable"] is True
    assert by_id[ids["not_applicable"]]["response"]["reason"] == NOT_APPLICABLE
    assert EVIDENCE_TITLE in [d["title"] for d in by_id[ids["with_document"]]["documents"]]


@pytest.mark.req("CT-10")
async def test_the_summary_downloads_as_a_pdf_with_all_of_it_in_any_script(client, applied, complete, evidence):
    model, company, ids = await _filled(client, applied, complete, evidence)
    response = await client.get(f"/security-models/{model['id']}/summary.pdf", headers=company.admin.headers)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="security-model-{model["id"]}.pdf"'
    text = pdf_text(response.content)
    statement = current().criterion(ids["with_document"]).statement
    for expected in ("C-TPAT Security Model Summary", "Acme Imports LLC", model["business_types"][0]["account_number"],
                     "U.S. Importer", "1300 Pennsylvania Ave NW, Washington, DC, 20229, US", "Ana Lopez",
                     company.admin.email, "Primary POC", "Application started.", statement,
                     f"We check every seal. {ODD}", f"Not Applicable. Reason: {NOT_APPLICABLE}", EVIDENCE_TITLE):
        assert " ".join(expected.split()) in text, expected
    assert "No response yet" not in text

    reader = PdfReader(io.BytesIO(response.content))
    fonts = {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    # Embedded (ReportLab lists its default Helvetica too): bold headings, and a font for 東京 and ✓.
    for family in ("NotoSans", "OpenSans-Bold", "WenQuanYiMicroHei"):
        assert any(family in name for name in fonts), (family, fonts)


@pytest.mark.req("CT-10")
@pytest.mark.req("CT-20")
async def test_only_who_may_see_the_model_gets_its_summary(client, applied, companies, staff):
    model, company = applied
    urls = [f"/security-models/{model['id']}/summary", f"/security-models/{model['id']}/summary.pdf"]
    other_company = await companies.company()
    not_a_contact = company.users[0]  # a user of the Trade Account, but no contact of the model
    unassigned_scss = await staff(StaffRole.SCSS)
    for url in urls:
        for stranger in (other_company.admin, not_a_contact, unassigned_scss):
            response = await client.get(url, headers=stranger.headers)
            assert response.status_code == 404, (url, stranger)
            assert response.headers["content-type"] == "application/problem+json"
        assert (await client.get(url)).status_code == 401
        assert (await client.get(url.replace(model["id"], str(uuid.uuid4())),
                                 headers=company.admin.headers)).status_code == 404
        for allowed in (company.admin, await staff(StaffRole.MANAGEMENT)):
            assert (await client.get(url, headers=allowed.headers)).status_code == 200, (url, allowed)


@pytest.mark.req("CT-10")
async def test_a_certified_full_profile_prints_with_its_history_and_signature(client, certify, runtime, capsys):
    certified = await certify()
    model_id, headers = certified.model["id"], certified.company.admin.headers
    url = f"/security-models/{model_id}/summary.pdf"
    await client.get(url, headers=headers)  # fonts registered once per process: not part of the figure
    started = time.perf_counter()
    response = await client.get(url, headers=headers)
    short = time.perf_counter() - started

    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    for expected in ("Certified", "Security Profile approved by the SCSS.", "Application submitted for review.",
                     "C-TPAT Partner Agreement", "2026.1", "Ana Lopez", f"{certified.scss.email} (CBP)"):
        assert expected in text, expected  # CBP staff by their email, as identity's events made them known

    # The same profile with long answers, as partners write them: ~1,500 characters each, a few in other scripts.
    profile_url = f"/security-models/{model_id}/profile"
    criteria = _criteria((await client.get(profile_url, headers=headers)).json())
    paragraph = ("Our written procedure for this criterion names who does what, how often and where the records "
                 "are kept; the security manager reviews it each year & after any incident. ")
    for i, criterion in enumerate(criteria):
        long = (paragraph * 9)[:1400] + (f" {ODD}" if i % 10 == 0 else "")
        r = await client.put(f"{profile_url}/{criterion['id']}", headers=headers,
                             json={"response": long, "revision": criterion["response"]["revision"]})
        assert r.status_code == 200, r.text
    started = time.perf_counter()
    response = await client.get(url, headers=headers)
    long_over_http = time.perf_counter() - started
    assert response.status_code == 200, response.text
    pages = len(PdfReader(io.BytesIO(response.content)).pages)

    profile = await show_profile(runtime.database.reads, Actor(certified.company.admin.user_id, frozenset()),
                                 uuid.UUID(model_id))
    started, cpu = time.perf_counter(), time.process_time()
    summary_pdf(profile, profile.view.model.created_at)
    rendered, rendered_cpu = time.perf_counter() - started, time.process_time() - cpu
    with capsys.disabled():
        print(f"\nCT-10 summary PDF of a certified importer ({len(criteria)} criteria): "
              f"short answers {short * 1000:.0f} ms over HTTP; ~1,400-character answers {long_over_http * 1000:.0f} ms "
              f"over HTTP, {pages} pages, render alone {rendered * 1000:.0f} ms ({rendered_cpu * 1000:.0f} ms CPU)")
