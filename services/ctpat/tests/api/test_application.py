"""Starting a C-TPAT application and keeping the company profile (CT-01..CT-05, CT-14, CT-20)."""

from __future__ import annotations

import uuid

import pytest
from ctpat import tables
from ctpat.catalogue import current

from servicekit.auth import StaffRole


def _fields(response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return {e["field"]: e["message"] for e in response.json()["errors"]}


@pytest.mark.req("CT-01")
async def test_a_user_of_a_trade_account_starts_an_application_and_the_answers_decide_the_sub_type(
    client, companies, application,
):
    company = await companies.company()
    user = company.users[0]
    carrier = current().business_type("highway_carrier")
    deciding = next(q for q in carrier.questions if any(c.sub_type for c in q.choices))
    mexico = next(c for c in deciding.choices if c.sub_type == "mexican_long_haul_carrier")
    body = application(company, "highway_carrier", contact_type="employee")
    body["eligibility_answers"][deciding.id] = mexico.value

    response = await client.post("/security-models", json=body, headers=user.headers)

    assert response.status_code == 201, response.text
    model = response.json()
    assert model["status"] == "applicant"
    assert [(t["code"], t["sub_type"]) for t in model["business_types"]] == [
        ("highway_carrier", "mexican_long_haul_carrier")]
    assert model["contacts"] == [{"member_id": str(user.member_id), "type": "employee", "primary_poc": True,
                                  "name": "Ana Lopez", "email": user.email, "title": "Compliance Officer"}]


@pytest.mark.req("CT-01")
async def test_an_ineligible_answer_set_is_refused_with_the_reason_and_changes_nothing(
    client, companies, application, fingerprint,
):
    company = await companies.company()
    importer = current().business_type("importer")
    question = next(q for q in importer.questions if any(c.ineligible for c in q.choices))
    refusing = next(c for c in question.choices if c.ineligible)
    body = application(company)
    body["eligibility_answers"][question.id] = refusing.value
    before = await fingerprint()

    response = await client.post("/security-models", json=body, headers=company.admin.headers)

    assert response.status_code == 422
    assert response.json()["type"].endswith("/ineligible")
    assert _fields(response) == {f"eligibility_answers.{question.id}": refusing.ineligible}
    assert await fingerprint() == before


@pytest.mark.req("CT-02")
async def test_each_required_identifier_is_required_and_checked_for_format(
    client, companies, application, fingerprint,
):
    company = await companies.company()
    body = application(company, "customs_broker")
    body["identifiers"] = {"broker_license": ["1234"], "scac": ["ACMT"]}
    before = await fingerprint()

    response = await client.post("/security-models", json=body, headers=company.admin.headers)

    assert response.status_code == 422
    fields = _fields(response)
    assert fields["identifiers.broker_license[0]"].startswith("is not a valid")
    assert fields["identifiers.filer_code"].startswith("is required")
    assert fields["identifiers.scac"].startswith("is not an identifier of this business type")
    assert await fingerprint() == before


@pytest.mark.req("CT-03")
async def test_each_business_type_gets_its_own_account_number(client, companies, application):
    company = await companies.company()
    numbers = set()
    for business_type in ("importer", "exporter"):
        response = await client.post("/security-models", json=application(company, business_type),
                                     headers=company.admin.headers)
        assert response.status_code == 201, response.text
        (entry,) = response.json()["business_types"]
        numbers.add(entry["account_number"])
    assert len(numbers) == 2 and all(n.startswith("CTP") for n in numbers)


@pytest.mark.req("CT-02")
async def test_ior_once_entered_is_changed_by_no_contact(client, applied, fingerprint):
    model, company = applied
    url = f"/security-models/{model['id']}/identifiers"
    before = await fingerprint()

    changed = await client.put(url, json={"identifiers": {"ior": ["98-7654321"]}}, headers=company.admin.headers)

    assert changed.status_code == 403
    assert "only by your SCSS" in changed.json()["detail"]
    assert await fingerprint() == before


@pytest.mark.req("CT-04")
async def test_addresses_come_from_the_trade_account_with_one_primary_and_a_mailing_one(
    client, applied, fingerprint,
):
    model, company = applied
    url = f"/security-models/{model['id']}/addresses"
    first, second, third = company.address_ids
    before = await fingerprint()
    for addresses, field, message in [
        ([{"address_id": str(first), "primary": True}], "addresses", "at least one Mailing"),
        ([{"address_id": str(first), "primary": True, "mailing": True},
          {"address_id": str(second), "primary": True}], "addresses", "exactly one Primary"),
        ([{"address_id": str(first), "primary": True, "mailing": True},
          {"address_id": str(uuid.uuid4())}], "addresses[1].address_id", "Organization Profile"),
    ]:
        response = await client.put(url, json={"addresses": addresses}, headers=company.admin.headers)
        assert response.status_code == 422, addresses
        assert message in _fields(response)[field]
    assert await fingerprint() == before

    response = await client.put(url, json={"addresses": [
        {"address_id": str(first), "primary": True}, {"address_id": str(second), "mailing": True},
        {"address_id": str(third)}]}, headers=company.admin.headers)

    assert response.status_code == 200, response.text
    assert [a["designation"] for a in response.json()["addresses"]] == ["primary", "mailing", "secondary"]


@pytest.mark.req("CT-05")
async def test_contacts_have_an_officer_and_exactly_one_primary_poc_who_is_no_consultant(
    client, applied, fingerprint,
):
    model, company = applied
    url = f"/security-models/{model['id']}/contacts"
    admin, user = company.admin, company.users[0]
    before = await fingerprint()
    for contacts, field, message in [
        ([{"member_id": str(admin.member_id), "type": "employee", "primary_poc": True}],
         "contacts", "Company Officer"),
        ([{"member_id": str(admin.member_id), "type": "officer"}], "contacts", "exactly one Primary POC"),
        ([{"member_id": str(admin.member_id), "type": "officer"},
          {"member_id": str(user.member_id), "type": "consultant", "primary_poc": True}],
         "contacts[1].primary_poc", "Consultant"),
        ([{"member_id": str(admin.member_id), "type": "officer", "primary_poc": True},
          {"member_id": str(uuid.uuid4()), "type": "employee"}], "contacts[1].member_id", "Organization Profile"),
    ]:
        response = await client.put(url, json={"contacts": contacts}, headers=admin.headers)
        assert response.status_code == 422, contacts
        assert message in _fields(response)[field]
    assert await fingerprint() == before

    response = await client.put(url, json={"contacts": [
        {"member_id": str(admin.member_id), "type": "officer"},
        {"member_id": str(user.member_id), "type": "employee", "primary_poc": True}]}, headers=admin.headers)

    assert response.status_code == 200, response.text
    assert [(c["type"], c["primary_poc"]) for c in response.json()["contacts"]] == [
        ("officer", False), ("employee", True)]


@pytest.mark.req("CT-14")
async def test_the_status_history_is_appended_to_and_the_database_refuses_to_rewrite_it(applied, runtime):
    model, company = applied
    assert [(e["status"], e["by"]) for e in model["status_history"]] == [
        ("applicant", str(company.admin.user_id))]
    from sqlalchemy import update
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError, match="append-only"):
        async with runtime.database.transaction() as session:
            await session.execute(update(tables.status_history).values(reason="rewritten"))


@pytest.mark.req("CT-20")
async def test_only_contacts_scss_and_management_see_a_model(client, applied, companies):
    model, company = applied
    url = f"/security-models/{model['id']}"
    not_a_contact = company.users[0]  # a user of the Trade Account, but no contact of the model
    other_company = await companies.company()
    for stranger in (not_a_contact, other_company.admin, companies.staff(StaffRole.SCSS)):
        response = await client.get(url, headers=stranger.headers)
        assert response.status_code == 404, stranger
    assert (await client.get(url, headers=company.admin.headers)).status_code == 200
    assert (await client.get(url, headers=companies.staff(StaffRole.MANAGEMENT).headers)).status_code == 200

    glance = await client.get(f"/trade-accounts/{company.trade_account_id}/security-models",
                              headers=not_a_contact.headers)
    assert glance.status_code == 200 and glance.json() == []
    mine = await client.get(f"/trade-accounts/{company.trade_account_id}/security-models",
                            headers=company.admin.headers)
    (row,) = mine.json()
    assert row["status"] == "applicant" and row["primary_poc"]["member_id"] == str(company.admin.member_id)


@pytest.mark.req("CT-02")
async def test_the_assigned_scss_adds_changes_and_removes_ior_numbers(client, certify, fingerprint):
    certified = await certify("importer")
    url = f"/security-models/{certified.model['id']}/identifiers"

    changed = await client.put(url, json={"identifiers": {"ior": ["98-7654321", "123-45-6789"]}},
                               headers=certified.scss.headers)

    assert changed.status_code == 200, changed.text
    assert {(i["kind"], i["value"]) for i in changed.json()["identifiers"]} == {
        ("ior", "98-7654321"), ("ior", "123-45-6789")}
    before = await fingerprint()
    emptied = await client.put(url, json={"identifiers": {}}, headers=certified.scss.headers)
    assert emptied.status_code == 422  # an importer keeps at least one IOR number
    assert await fingerprint() == before
    kept = await client.put(url, json={"identifiers": {"ior": ["98-7654321"]}}, headers=certified.scss.headers)
    assert [i["value"] for i in kept.json()["identifiers"]] == ["98-7654321"]


@pytest.mark.req("CT-06")
async def test_an_employee_cannot_make_themselves_officer_once_the_model_has_one(client, applied, fingerprint):
    model, company = applied  # the administrator is its Officer
    employee = company.users[0]
    url = f"/security-models/{model['id']}/contacts"
    both = [{"member_id": str(company.admin.member_id), "type": "officer", "primary_poc": True},
            {"member_id": str(employee.member_id), "type": "employee"}]
    assert (await client.put(url, json={"contacts": both}, headers=company.admin.headers)).status_code == 200
    before = await fingerprint()

    promoted = await client.put(url, headers=employee.headers, json={"contacts": [
        both[0], {"member_id": str(employee.member_id), "type": "officer"}]})

    assert promoted.status_code == 403
    assert await fingerprint() == before


@pytest.mark.req("CT-01")
async def test_cbp_staff_do_not_apply(client, companies, application):
    company = await companies.company()
    for role in (StaffRole.SCSS, StaffRole.MANAGEMENT):
        response = await client.post("/security-models", json=application(company),
                                     headers=companies.staff(role).headers)
        assert response.status_code == 403


async def test_the_partner_sees_its_assigned_scss_by_email_at_a_glance(client, applied, staff):
    model, company = applied
    glance_url = f"/trade-accounts/{company.trade_account_id}/security-models"
    (before,) = (await client.get(glance_url, headers=company.admin.headers)).json()
    assert (before["scss_user_id"], before["scss_email"]) == (None, None)
    scss, management = await staff(StaffRole.SCSS), await staff(StaffRole.MANAGEMENT)
    assigned = await client.put(f"/security-models/{model['id']}/scss", json={"scss_user_id": str(scss.user_id)},
                                headers=management.headers)
    assert assigned.status_code == 200, assigned.text

    (row,) = (await client.get(glance_url, headers=company.admin.headers)).json()
    shown = (await client.get(f"/security-models/{model['id']}", headers=company.admin.headers)).json()
    summary = (await client.get(f"/security-models/{model['id']}/summary", headers=company.admin.headers)).json()
    assert row["scss_email"] == shown["scss_email"] == summary["security_model"]["scss_email"] == scss.email
