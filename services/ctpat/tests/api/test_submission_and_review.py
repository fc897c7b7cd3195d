"""Submitting the application and the CBP review (CT-06, CT-11, CT-12, CT-14)."""

from __future__ import annotations

import pytest
from ctpat.domain.security_model import AGREEMENT_VERSIONS, AgreementKind

from servicekit.auth import StaffRole

PARTNER = AGREEMENT_VERSIONS[AgreementKind.PARTNER]


def _sign(name: str = "Ana Lopez") -> dict:
    return {"agreement_version": PARTNER, "signer_name": name}


@pytest.mark.req("CT-11")
async def test_an_incomplete_application_is_refused_naming_what_is_missing(client, applied, fingerprint):
    model, company = applied
    before = await fingerprint()

    response = await client.post(f"/security-models/{model['id']}/submission", json=_sign(),
                                 headers=company.admin.headers)

    assert response.status_code == 409
    assert response.json()["type"].endswith("/incomplete")
    fields = {e["field"] for e in response.json()["errors"]}
    assert "addresses" in fields and "profile.1.1" in fields
    assert await fingerprint() == before


@pytest.mark.req("CT-06")
async def test_any_contact_edits_the_profile_but_only_an_officer_submits(client, applied, complete, fingerprint):
    model, company = applied
    employee = company.users[0]
    contacts = await client.put(f"/security-models/{model['id']}/contacts", headers=company.admin.headers, json={
        "contacts": [{"member_id": str(company.admin.member_id), "type": "officer", "primary_poc": True},
                     {"member_id": str(employee.member_id), "type": "employee"}]})
    assert contacts.status_code == 200, contacts.text
    await complete(model, company, officer=employee)  # the employee answers every criterion
    before = await fingerprint()

    refused = await client.post(f"/security-models/{model['id']}/submission", json=_sign("Bo Chen"),
                                headers=employee.headers)

    assert refused.status_code == 403
    assert await fingerprint() == before
    submitted = await client.post(f"/security-models/{model['id']}/submission", json=_sign(),
                                  headers=company.admin.headers)
    assert submitted.status_code == 200, submitted.text


@pytest.mark.req("CT-11")
async def test_the_officer_signs_the_partner_agreement_and_the_signature_is_kept(
    client, applied, complete, outbox, session_clock,
):
    model, company = applied
    await complete(model, company)
    stale_version = await client.post(f"/security-models/{model['id']}/submission",
                                      json={**_sign(), "agreement_version": "1999.1"}, headers=company.admin.headers)
    assert stale_version.status_code == 422

    response = await client.post(f"/security-models/{model['id']}/submission", json=_sign(),
                                 headers=company.admin.headers)

    assert response.status_code == 200, response.text
    submitted = response.json()
    (signature,) = submitted["signatures"]
    assert (signature["agreement"], signature["agreement_version"], signature["signed_by"],
            signature["signer_name"]) == ("partner", PARTNER, str(company.admin.user_id), "Ana Lopez")
    assert signature["signed_at"] and signature["revoked_at"] is None
    assert submitted["status"] == "under_review"
    assert (await outbox(model["id"]))[-2:] == ["AgreementSigned.v1", "StatusChanged.v1"]
    again = await client.post(f"/security-models/{model['id']}/submission", json=_sign(),
                              headers=company.admin.headers)
    assert again.status_code == 409


@pytest.mark.req("CT-12")
async def test_management_assigns_a_known_scss_and_nobody_else_does(client, applied, staff, fingerprint):
    model, company = applied
    url = f"/security-models/{model['id']}/scss"
    scss, management = await staff(StaffRole.SCSS), await staff(StaffRole.MANAGEMENT)
    before = await fingerprint()

    assert (await client.put(url, json={"scss_user_id": str(scss.user_id)},
                             headers=company.admin.headers)).status_code == 403
    assert (await client.put(url, json={"scss_user_id": str(scss.user_id)},
                             headers=scss.headers)).status_code == 404  # not yet assigned: sees nothing
    not_scss = await client.put(url, json={"scss_user_id": str(management.user_id)}, headers=management.headers)
    assert not_scss.status_code == 422 and not_scss.json()["errors"][0]["field"] == "scss_user_id"
    assert await fingerprint() == before

    assigned = await client.put(url, json={"scss_user_id": str(scss.user_id)}, headers=management.headers)

    assert assigned.status_code == 200 and assigned.json()["scss_user_id"] == str(scss.user_id)
    assert (await client.get(f"/security-models/{model['id']}", headers=scss.headers)).status_code == 200


@pytest.mark.req("CT-12")
async def test_management_finds_the_scss_to_assign_by_part_of_their_email(client, staff):
    scss, other_scss = await staff(StaffRole.SCSS), await staff(StaffRole.SCSS)
    management = await staff(StaffRole.MANAGEMENT)
    part = scss.email.split("@")[0].upper()  # any case

    found = await client.get("/staff", params={"role": "scss", "email": part}, headers=management.headers)

    assert found.status_code == 200, found.text
    assert found.json()["total"] == 1
    assert [(s["user_id"], s["email"]) for s in found.json()["items"]] == [(str(scss.user_id), scss.email)]
    # Only the role asked for: Management is no SCSS.
    not_scss = await client.get("/staff", params={"role": "scss", "email": management.email},
                                headers=management.headers)
    assert not_scss.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}
    # A wildcard is a character like any other, not "anything".
    wildcard = await client.get("/staff", params={"email": "scss-%"}, headers=management.headers)
    assert wildcard.json()["total"] == 0
    # Paged, by email: both SCSS share "@example.com" and the "scss-" prefix.
    first = (await client.get("/staff", params={"email": "scss-", "limit": 1}, headers=management.headers)).json()
    second = (await client.get("/staff", params={"email": "scss-", "limit": 1, "offset": 1},
                               headers=management.headers)).json()
    assert first["total"] == second["total"] >= 2
    assert len(first["items"]) == len(second["items"]) == 1
    assert first["items"][0]["user_id"] != second["items"][0]["user_id"]
    past = (await client.get("/staff", params={"email": other_scss.email, "offset": 5},
                             headers=management.headers)).json()
    assert (past["items"], past["total"]) == ([], 1)
    by_id = (await client.get("/staff", params={"user_id": str(scss.user_id)}, headers=management.headers)).json()
    assert [s["email"] for s in by_id["items"]] == [scss.email]
    assert (await client.get("/staff", headers=scss.headers)).status_code == 403


@pytest.mark.req("CT-12")
@pytest.mark.req("CT-14")
async def test_the_scss_returns_then_approves_and_every_approved_version_stays_readable(
    client, applied, complete, staff, outbox,
):
    model, company = applied
    url = f"/security-models/{model['id']}"
    admin = company.admin.headers
    scss, other_scss, management = (await staff(StaffRole.SCSS), await staff(StaffRole.SCSS),
                                    await staff(StaffRole.MANAGEMENT))
    await client.put(f"{url}/scss", json={"scss_user_id": str(scss.user_id)}, headers=management.headers)
    await complete(model, company)
    assert (await client.post(f"{url}/submission", json=_sign(), headers=admin)).status_code == 200

    no_reason = await client.post(f"{url}/review", json={"decision": "return"}, headers=scss.headers)
    assert no_reason.status_code == 422
    assert (await client.post(f"{url}/review", json={"decision": "approve"},
                              headers=other_scss.headers)).status_code == 404
    returned = await client.post(f"{url}/review", json={"decision": "return", "reason": "Describe seal audits."},
                                 headers=scss.headers)
    assert returned.status_code == 200 and returned.json()["status"] == "applicant"

    await client.put(f"{url}/profile/1.1", json={"response": "First approved text."}, headers=admin)
    assert (await client.post(f"{url}/submission", json=_sign(), headers=admin)).status_code == 200
    first = await client.post(f"{url}/review", json={"decision": "approve"}, headers=scss.headers)
    assert first.status_code == 200 and first.json()["status"] == "certified"
    assert first.json()["anniversary_date"]

    # A certified partner updates one response and submits; the approval keeps a second version of it only.
    await client.put(f"{url}/profile/1.1", json={"response": "Second approved text.", "revision": 2}, headers=admin)
    assert (await client.post(f"{url}/submission", json=_sign(), headers=admin)).status_code == 200
    locked = await client.put(f"{url}/profile/1.1", json={"response": "meanwhile", "revision": 3}, headers=admin)
    assert locked.status_code == 409
    second = await client.post(f"{url}/review", json={"decision": "approve"}, headers=scss.headers)
    assert second.status_code == 200 and second.json()["status"] == "certified"
    changed = (await client.get(f"{url}/profile/1.1/versions", headers=admin)).json()
    assert [(v["version"], v["response"]) for v in changed] == [
        (2, "Second approved text."), (1, "First approved text.")]
    unchanged = (await client.get(f"{url}/profile/1.2/versions", headers=admin)).json()
    assert [v["version"] for v in unchanged] == [1]
    assert len(second.json()["signatures"]) == 1  # the same agreement version is not signed twice

    history = [(e["status"], e["previous"]) for e in first.json()["status_history"]]
    assert history == [("applicant", None), ("under_review", "applicant"), ("applicant", "under_review"),
                       ("under_review", "applicant"), ("certified", "under_review")]
    assert "Returned by the SCSS: Describe seal audits." in first.json()["status_history"][2]["reason"]
    assert (await outbox(model["id"])).count("StatusChanged.v1") == 5


@pytest.mark.req("CT-12")
async def test_the_scss_work_queue_shows_what_waits_for_them_and_only_theirs(client, applied, complete, staff):
    model, company = applied
    url = f"/security-models/{model['id']}"
    scss, other_scss, management = (await staff(StaffRole.SCSS), await staff(StaffRole.SCSS),
                                    await staff(StaffRole.MANAGEMENT))
    await client.put(f"{url}/scss", json={"scss_user_id": str(scss.user_id)}, headers=management.headers)
    assert (await client.get("/work-queue", headers=scss.headers)).json() == []  # nothing submitted yet
    await complete(model, company)
    assert (await client.post(f"{url}/submission", json=_sign(), headers=company.admin.headers)).status_code == 200

    (item,) = (await client.get("/work-queue", headers=scss.headers)).json()

    assert item["security_model_id"] == model["id"] and item["profile_submitted"] is True
    assert item["company_name"] == "Acme Imports LLC" and item["business_types"] == ["importer"]
    assert (await client.get("/work-queue", headers=other_scss.headers)).json() == []
    assert (await client.get("/work-queue", headers=company.admin.headers)).status_code == 403
    await client.post(f"{url}/review", json={"decision": "approve"}, headers=scss.headers)
    assert (await client.get("/work-queue", headers=scss.headers)).json() == []
