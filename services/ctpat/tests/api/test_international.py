"""The International tab (CT-07): programs by status and business type, agreements an Officer signs (CT-06)."""

from __future__ import annotations

import pytest
from ctpat.domain.security_model import AGREEMENT_VERSIONS, AgreementKind

SVI = {"agreement": "svi", "agreement_version": AGREEMENT_VERSIONS[AgreementKind.SVI], "signer_name": "Ana Lopez"}


async def _tab(client, model_id, who) -> dict[str, dict]:
    response = await client.get(f"/security-models/{model_id}/international", headers=who.headers)
    assert response.status_code == 200, response.text
    return {p["agreement"]: p for p in response.json()}


@pytest.mark.req("CT-07")
async def test_programs_are_open_by_status_and_business_type(client, applied, certify):
    model, company = applied  # an importer applicant
    tab = await _tab(client, model["id"], company.admin)
    assert set(tab) == {"svi", "exporter", "neec", "mutual_recognition"}
    assert not tab["svi"]["available"] and "Certified" in tab["svi"]["unavailable_because"]
    assert not tab["exporter"]["available"] and "exporter" in tab["exporter"]["unavailable_because"]

    certified = await certify("importer")
    tab = await _tab(client, certified.model["id"], certified.company.admin)
    assert tab["svi"]["available"] and tab["mutual_recognition"]["available"]
    assert not tab["neec"]["available"] and not tab["exporter"]["available"]
    carrier = await certify("highway_carrier")
    assert (await _tab(client, carrier.model["id"], carrier.company.admin))["neec"]["available"]


@pytest.mark.req("CT-07")
async def test_a_program_not_open_to_the_model_cannot_be_signed(client, applied, fingerprint):
    model, company = applied
    before = await fingerprint()
    response = await client.post(f"/security-models/{model['id']}/agreements", json=SVI, headers=company.admin.headers)
    assert response.status_code == 409
    assert await fingerprint() == before


@pytest.mark.req("CT-06")
async def test_only_an_officer_signs_and_revokes_and_the_signature_is_kept(client, certify, outbox, fingerprint):
    certified = await certify("importer")
    url = f"/security-models/{certified.model['id']}"
    admin, employee = certified.company.admin, certified.company.users[0]
    await client.put(f"{url}/contacts", headers=admin.headers, json={"contacts": [
        {"member_id": str(admin.member_id), "type": "officer", "primary_poc": True},
        {"member_id": str(employee.member_id), "type": "employee"}]})
    before = await fingerprint()
    assert (await client.post(f"{url}/agreements", json=SVI, headers=employee.headers)).status_code == 403
    assert await fingerprint() == before

    signed = await client.post(f"{url}/agreements", json=SVI, headers=admin.headers)
    assert signed.status_code == 200, signed.text
    assert (await client.post(f"{url}/agreements", json=SVI, headers=admin.headers)).status_code == 409
    assert (await client.post(f"{url}/agreements/svi/revocation", headers=employee.headers)).status_code == 403
    revoked = await client.post(f"{url}/agreements/svi/revocation", headers=admin.headers)

    assert revoked.status_code == 200
    svi = [s for s in revoked.json()["signatures"] if s["agreement"] == "svi"]
    assert len(svi) == 1 and svi[0]["signed_by"] == str(admin.user_id) and svi[0]["revoked_at"] is not None
    assert (await outbox(certified.model["id"]))[-2:] == ["AgreementSigned.v1", "AgreementRevoked.v1"]
    tab = await _tab(client, certified.model["id"], admin)
    assert tab["svi"]["signature"] is None and tab["svi"]["available"]
