"""The status lifecycle and its append-only history (CT-14)."""

from __future__ import annotations

import pytest


async def _change(client, certified, who, status: str, reason: str = "Validation completed."):
    return await client.post(f"/security-models/{certified.model['id']}/status-changes",
                             json={"status": status, "reason": reason}, headers=who.headers)


@pytest.mark.req("CT-14")
async def test_importers_move_through_the_tiers_and_every_change_keeps_who_and_why(client, certify, outbox):
    certified = await certify("importer")

    for status in ("certified_validated", "certified_exceeding", "suspended", "certified_exceeding"):
        response = await _change(client, certified, certified.scss, status, reason=f"Because {status}.")
        assert response.status_code == 200, response.text

    model = response.json()
    tail = [(e["status"], e["previous"], e["by"], e["reason"]) for e in model["status_history"][-4:]]
    scss = str(certified.scss.user_id)
    assert tail == [
        ("certified_validated", "certified", scss, "Because certified_validated."),
        ("certified_exceeding", "certified_validated", scss, "Because certified_exceeding."),
        ("suspended", "certified_exceeding", scss, "Because suspended."),
        ("certified_exceeding", "suspended", scss, "Because certified_exceeding."),  # reinstated to what it was
    ]
    assert (await outbox(model["id"])).count("StatusChanged.v1") == len(model["status_history"])


@pytest.mark.req("CT-14")
async def test_a_non_importer_is_validated_as_non_importer_and_never_reaches_importer_tiers(client, certify):
    certified = await certify("highway_carrier")
    refused = await _change(client, certified, certified.scss, "certified_validated")
    assert refused.status_code == 409
    assert (await _change(client, certified, certified.scss, "certified_non_importer_validated")).status_code == 200


@pytest.mark.req("CT-14")
async def test_a_change_needs_a_reason_the_right_person_and_an_allowed_step(client, certify, fingerprint):
    certified = await certify("importer")
    before = await fingerprint()
    assert (await _change(client, certified, certified.scss, "suspended", reason=" ")).status_code == 422
    assert (await _change(client, certified, certified.company.admin, "suspended")).status_code == 403
    assert (await _change(client, certified, certified.scss, "removed")).status_code == 403  # Management only
    assert (await _change(client, certified, certified.scss, "under_review")).status_code == 409
    assert await fingerprint() == before

    removed = await _change(client, certified, certified.management, "removed", reason="Failed validation.")
    assert removed.status_code == 200
    assert (await _change(client, certified, certified.management, "certified")).status_code == 409  # closed


@pytest.mark.req("CT-14")
async def test_a_date_change_is_appended_never_overwritten(client, certify, outbox):
    certified = await certify("importer")
    url = f"/security-models/{certified.model['id']}/anniversary"
    first = certified.model["anniversary_date"]
    assert (await client.put(url, json={"anniversary_date": "2030-01-15", "reason": "x"},
                             headers=certified.scss.headers)).status_code == 403

    moved = await client.put(url, json={"anniversary_date": "2030-01-15", "reason": "Aligned with the validation."},
                             headers=certified.management.headers)

    assert moved.status_code == 200, moved.text
    history = moved.json()["status_history"]
    assert [e["anniversary_date"] for e in history if e["anniversary_date"]] == [first, "2030-01-15"]
    assert history[-1]["status"] == history[-1]["previous"] == "certified"
    assert moved.json()["anniversary_date"] == "2030-01-15"
    assert (await outbox(certified.model["id"]))[-1] == "StatusChanged.v1"


@pytest.mark.req("CT-14")
async def test_only_an_officer_withdraws_and_a_withdrawn_model_changes_no_more(client, certify):
    certified = await certify("importer")
    url = f"/security-models/{certified.model['id']}"
    withdrawn = await client.post(f"{url}/withdrawal", json={"reason": "We stopped importing."},
                                  headers=certified.company.admin.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    later = await client.put(f"{url}/profile/1.1", json={"response": "late"}, headers=certified.company.admin.headers)
    assert later.status_code == 409
