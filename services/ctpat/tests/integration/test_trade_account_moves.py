"""ctpat follows Trade Account splits and merges that move Security Models (TA-13, TA-14; issue 7 §4)."""

from __future__ import annotations

import uuid

import pytest

from portal_events.trade_accounts import (
    AddressData,
    CompanyInformationData,
    TradeAccountAddressAdded,
    TradeAccountCreated,
    TradeAccountsMerged,
    TradeAccountsSplit,
    TradeAccountUserAdded,
)


def _company_info(name: str) -> CompanyInformationData:
    return CompanyInformationData(company_name=name, doing_business_as=None, number_of_employees=None,
                                  business_start_date=None, brief_history=None)


@pytest.mark.req("TA-13")
async def test_a_split_moves_the_model_and_ctpat_says_so(client, applied, companies, outbox):
    model, company = applied
    new = type(company)(uuid.uuid4(), company.admin)
    # trade-accounts creates the new account with copies of what the model uses, under the same ids.
    await companies._apply(new, TradeAccountCreated, created_by=company.admin.user_id,
                           company_information=_company_info("Acme Exports LLC"))
    await companies._apply(new, TradeAccountUserAdded, member=companies._member(company.admin, "company_administrator"))
    for address_id in company.address_ids[:1]:
        await companies._apply(new, TradeAccountAddressAdded, address=AddressData(
            address_id=address_id, type="headquarters", street_line_1="1 Main St", street_line_2=None,
            city="Laredo", country="US", state="TX", postal_code="78040"))

    await companies._apply(company, TradeAccountsSplit, new_trade_account_id=new.trade_account_id,
                           moved_security_model_ids=[uuid.UUID(model["id"])], request_id=uuid.uuid4())

    moved = (await client.get(f"/security-models/{model['id']}", headers=company.admin.headers)).json()
    assert moved["trade_account_id"] == str(new.trade_account_id)
    assert moved["company_name"] == "Acme Exports LLC"
    assert moved["contacts"][0]["email"] == company.admin.email  # the copy of the membership resolves
    assert (await outbox(model["id"]))[-1] == "SecurityModelMoved.v1"


@pytest.mark.req("TA-14")
async def test_a_merge_moves_the_model_and_its_contacts_follow_the_survivors_memberships(
    client, companies, application, outbox,
):
    survivor = await companies.company(users=0)
    merged = await companies.company(users=0)
    created = await client.post("/security-models", json=application(merged), headers=merged.admin.headers)
    model_id = created.json()["id"]
    # The merged account's administrator is also a user of the survivor (same person, same email).
    twin = companies.person()
    twin.member_id, twin.email, twin.user_id, twin.headers = (
        uuid.uuid4(), merged.admin.email, merged.admin.user_id, merged.admin.headers)
    await companies._apply(survivor, TradeAccountUserAdded, member=companies._member(twin, "user"))

    await companies._apply(survivor, TradeAccountsMerged, merged_trade_account_id=merged.trade_account_id,
                           moved_security_model_ids=[uuid.UUID(model_id)], request_id=uuid.uuid4())

    model = (await client.get(f"/security-models/{model_id}", headers=merged.admin.headers)).json()
    assert model["trade_account_id"] == str(survivor.trade_account_id)
    assert [c["member_id"] for c in model["contacts"]] == [str(twin.member_id)]
    assert (await outbox(model_id))[-2:] == ["SecurityModelMoved.v1", "ContactsChanged.v1"]
