"""Security Model operations (CT-16..CT-19): requested by an Officer, decided by Management."""

from __future__ import annotations

import pytest
from ctpat.catalogue import current


def _unique_criteria(own: str, other: str) -> set[str]:
    catalogue = current()
    return {c.id for c in catalogue.criteria_for([own])} - {c.id for c in catalogue.criteria_for([other])}


async def _decide(client, certified, operation_id, decision="approve", reason=None):
    body = {"decision": decision} | ({"reason": reason} if reason else {})
    return await client.post(f"/model-operations/{operation_id}/decision", json=body,
                             headers=certified.management.headers)


async def _expand(client, certified, application, business_type="exporter"):
    body = application(certified.company, business_type)
    return await client.post(f"/security-models/{certified.model['id']}/operations", headers=certified.company.admin.headers,
                             json={"kind": "expand", "reason": "Our exporting uses the same procedures.",
                                   "business_types": [business_type],
                                   "eligibility_answers": body["eligibility_answers"],
                                   "identifiers": body["identifiers"]})


@pytest.mark.req("CT-16")
async def test_an_expand_approved_by_management_adds_the_type_whose_unique_criteria_then_need_answers(
    client, certify, application, fingerprint,
):
    certified = await certify("importer")
    url = f"/security-models/{certified.model['id']}"
    requested = await _expand(client, certified, application, "highway_carrier")
    assert requested.status_code == 201, requested.text
    before = await fingerprint()
    assert (await _decide(client, certified, requested.json()["id"], "decline")).status_code == 422  # needs why
    assert (await client.post(f"/model-operations/{requested.json()['id']}/decision", json={"decision": "approve"},
                              headers=certified.scss.headers)).status_code == 403
    assert await fingerprint() == before
    queue = await client.get("/model-operations", headers=certified.management.headers)
    assert requested.json()["id"] in {o["id"] for o in queue.json()}

    approved = await _decide(client, certified, requested.json()["id"])

    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    model = (await client.get(url, headers=certified.company.admin.headers)).json()
    assert [t["code"] for t in model["business_types"]] == ["importer", "highway_carrier"]
    assert len({t["account_number"] for t in model["business_types"]}) == 2
    gaps = {g["criterion_id"] for g in (await client.get(f"{url}/profile", headers=certified.company.admin.headers))
            .json()["gaps"]}
    assert gaps == _unique_criteria("highway_carrier", "importer")  # the common ones stay answered


@pytest.mark.req("CT-16")
async def test_an_expand_is_requested_by_an_officer_with_valid_answers_one_at_a_time(
    client, certify, application, fingerprint,
):
    certified = await certify("importer")
    url = f"/security-models/{certified.model['id']}/operations"
    before = await fingerprint()
    ineligible = application(certified.company, "exporter")
    question = next(q for q in current().business_type("exporter").questions if any(c.ineligible for c in q.choices))
    ineligible["eligibility_answers"][question.id] = next(c.value for c in question.choices if c.ineligible)
    refused = await client.post(url, headers=certified.company.admin.headers, json={
        "kind": "expand", "reason": "Same procedures for exports.", "business_types": ["exporter"],
        "eligibility_answers": ineligible["eligibility_answers"], "identifiers": ineligible["identifiers"]})
    assert refused.status_code == 422 and refused.json()["type"].endswith("/ineligible")
    assert (await client.post(url, headers=certified.company.users[0].headers, json={
        "kind": "expand", "reason": "Same procedures for exports.", "business_types": ["exporter"]})).status_code == 404
    assert await fingerprint() == before

    assert (await _expand(client, certified, application)).status_code == 201
    assert (await _expand(client, certified, application, "rail_carrier")).status_code == 409  # one pending at a time


@pytest.mark.req("CT-17")
async def test_an_extract_separates_one_type_into_a_model_earmarked_for_withdrawal(client, certify, application):
    certified = await certify("importer")
    operation = (await _expand(client, certified, application)).json()
    await _decide(client, certified, operation["id"])
    requested = await client.post(f"/security-models/{certified.model['id']}/operations",
                                  headers=certified.company.admin.headers,
                                  json={"kind": "extract", "reason": "Exporting moves to another company.",
                                        "business_types": ["exporter"]})
    assert requested.status_code == 201, requested.text

    decided = await _decide(client, certified, requested.json()["id"])

    new_id = decided.json()["resulting_model_id"]
    extracted = (await client.get(f"/security-models/{new_id}", headers=certified.company.admin.headers)).json()
    assert [t["code"] for t in extracted["business_types"]] == ["exporter"]
    assert extracted["earmarked_for_withdrawal"] is True and extracted["status"] == "certified"
    original = (await client.get(f"/security-models/{certified.model['id']}",
                                 headers=certified.company.admin.headers)).json()
    assert [t["code"] for t in original["business_types"]] == ["importer"]


@pytest.mark.req("CT-18")
async def test_a_split_makes_two_models_managed_separately_each_with_its_answers(client, certify, application,
                                                                                outbox):
    certified = await certify("importer")
    await _decide(client, certified, (await _expand(client, certified, application)).json()["id"])
    admin = certified.company.admin.headers
    single = await client.post(f"/security-models/{certified.model['id']}/operations", headers=admin,
                               json={"kind": "split", "reason": "Two divisions, two procedures.",
                                     "business_types": ["importer", "exporter"]})
    assert single.status_code == 422  # one type must stay
    requested = await client.post(f"/security-models/{certified.model['id']}/operations", headers=admin,
                                  json={"kind": "split", "reason": "Two divisions, two procedures.",
                                        "business_types": ["exporter"]})

    new_id = (await _decide(client, certified, requested.json()["id"])).json()["resulting_model_id"]
    # The decision is told to the other services once it took effect, on the operations' own topic (the people
    # concerned hear of it from messaging).
    assert await outbox(requested.json()["id"]) == ["SecurityModelOperationDecided.v1"]

    split = (await client.get(f"/security-models/{new_id}", headers=admin)).json()
    assert split["earmarked_for_withdrawal"] is False
    profile = (await client.get(f"/security-models/{new_id}/profile", headers=admin)).json()
    common = {c.id for c in current().criteria_for(["exporter"])} & {c.id for c in current().criteria_for(["importer"])}
    answered = {c["id"] for cat in profile["categories"] for c in cat["criteria"] if c["response"]}
    assert common <= answered  # what both types answered together comes along
    r = await client.put(f"/security-models/{new_id}/profile/1.1", json={"response": "Exports only.", "revision": 1},
                         headers=admin)
    assert r.status_code == 200
    original = (await client.get(f"/security-models/{certified.model['id']}/profile", headers=admin)).json()
    first = next(c for cat in original["categories"] for c in cat["criteria"] if c["id"] == "1.1")
    assert first["response"]["response"] != "Exports only."  # managed separately


@pytest.mark.req("CT-19")
async def test_two_models_of_one_trade_account_merge_into_one(client, certify, application, companies):
    certified = await certify("importer")
    admin = certified.company.admin.headers
    second = await client.post("/security-models", json=application(certified.company, "exporter"), headers=admin)
    assert second.status_code == 201
    other_company = await certify("exporter")
    url = f"/security-models/{certified.model['id']}/operations"
    foreign = await client.post(url, headers=admin, json={"kind": "merge", "reason": "Identical procedures.",
                                                          "other_model_id": other_company.model["id"]})
    assert foreign.status_code == 422

    requested = await client.post(url, headers=admin, json={"kind": "merge", "reason": "Identical procedures.",
                                                            "other_model_id": second.json()["id"]})
    assert requested.status_code == 201, requested.text
    assert (await _decide(client, certified, requested.json()["id"])).status_code == 200

    merged = (await client.get(f"/security-models/{certified.model['id']}", headers=admin)).json()
    assert [t["code"] for t in merged["business_types"]] == ["importer", "exporter"]
    gone = (await client.get(f"/security-models/{second.json()['id']}", headers=admin)).json()
    assert gone["status"] == "withdrawn" and "Merged into" in gone["status_history"][-1]["reason"]
