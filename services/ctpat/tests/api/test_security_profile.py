"""The Security Profile, answered criterion by criterion (CT-08, CT-09)."""

from __future__ import annotations

import asyncio

import pytest
from ctpat.catalogue import current


def _fields(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def _first(profile: dict, *, evidence: bool) -> dict:
    return next(c for cat in profile["categories"] for c in cat["criteria"] if c["evidence_required"] is evidence)


@pytest.mark.req("CT-08")
async def test_the_profile_lists_the_types_criteria_by_category_and_what_is_missing(client, applied):
    model, company = applied
    response = await client.get(f"/security-models/{model['id']}/profile", headers=company.admin.headers)

    assert response.status_code == 200, response.text
    profile = response.json()
    expected = current().criteria_for(["importer"])
    assert profile["total"] == len(expected) and profile["answered"] == 0 and not profile["complete"]
    listed = [c["id"] for cat in profile["categories"] for c in cat["criteria"]]
    assert listed == [c.id for c in expected]  # grouped by category, in catalogue order
    assert [cat["number"] for cat in profile["categories"]] == sorted({c.category for c in expected})
    assert {g["criterion_id"] for g in profile["gaps"]} == set(listed)


@pytest.mark.req("CT-08")
async def test_not_applicable_needs_a_reason_and_a_response_needs_text(client, applied, fingerprint):
    model, company = applied
    url = f"/security-models/{model['id']}/profile/1.1"
    before = await fingerprint()
    for body, field in [({"not_applicable": True}, "reason"), ({"not_applicable": True, "reason": "   "}, "reason"),
                        ({"response": " \t"}, "response"), ({}, "response")]:
        response = await client.put(url, json=body, headers=company.admin.headers)
        assert response.status_code == 422, body
        assert field in _fields(response), body
    assert await fingerprint() == before

    saved = await client.put(url, json={"not_applicable": True, "reason": "We own no facilities abroad."},
                             headers=company.admin.headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["revision"] == 1 and saved.json()["reason"] == "We own no facilities abroad."


@pytest.mark.req("CT-08")
async def test_a_criterion_needing_evidence_is_complete_only_with_an_uploaded_document(client, applied, evidence):
    model, company = applied
    url = f"/security-models/{model['id']}/profile"
    profile = (await client.get(url, headers=company.admin.headers)).json()
    needs, plain = _first(profile, evidence=True), _first(profile, evidence=False)
    for criterion in (needs, plain):
        r = await client.put(f"{url}/{criterion['id']}", json={"response": "Written procedure, reviewed yearly."},
                             headers=company.admin.headers)
        assert r.status_code == 200, r.text

    gaps = {g["criterion_id"]: g["problem"] for g in (await client.get(url, headers=company.admin.headers)).json()["gaps"]}
    assert gaps[needs["id"]] == "evidence_missing" and plain["id"] not in gaps

    document_id = await evidence(model["id"], needs["id"], title="Seal log.pdf")
    after = (await client.get(url, headers=company.admin.headers)).json()
    assert needs["id"] not in {g["criterion_id"] for g in after["gaps"]}
    shown = next(c for cat in after["categories"] for c in cat["criteria"] if c["id"] == needs["id"])
    assert [(d["document_id"], d["title"]) for d in shown["documents"]] == [(str(document_id), "Seal log.pdf")]


@pytest.mark.req("CT-08")
async def test_two_saves_of_one_criterion_from_the_same_revision_keep_one_and_refuse_the_other(client, applied):
    model, company = applied
    url = f"/security-models/{model['id']}/profile/1.1"
    first = await client.put(url, json={"response": "v1"}, headers=company.admin.headers)
    assert first.status_code == 200

    answers = await asyncio.gather(*(
        client.put(url, json={"response": f"v2 by {i}", "revision": 1}, headers=company.admin.headers)
        for i in range(4)))

    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]
    stale = await client.put(url, json={"response": "from an old page", "revision": 1}, headers=company.admin.headers)
    assert stale.status_code == 409


@pytest.mark.req("CT-09")
async def test_a_criterion_outside_the_models_types_is_not_in_its_profile(client, applied):
    model, company = applied
    catalogue = current()
    outside = next(c for c in catalogue.criteria if not c.applies("importer"))
    response = await client.put(f"/security-models/{model['id']}/profile/{outside.id}", json={"response": "x"},
                                headers=company.admin.headers)
    assert response.status_code == 404


@pytest.mark.req("CT-20")
async def test_a_trade_account_user_who_is_no_contact_cannot_answer(client, applied, fingerprint):
    model, company = applied
    before = await fingerprint()
    response = await client.put(f"/security-models/{model['id']}/profile/1.1", json={"response": "x"},
                                headers=company.users[0].headers)
    assert response.status_code == 404
    assert await fingerprint() == before
