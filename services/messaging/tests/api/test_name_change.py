"""Asking CBP: the manual sends a company that wants its name changed to its assigned SCSS, or to the program's
mailbox when none is assigned. A Company Administrator asks from the Organization Profile; the name changed by
the SCSS closes the request."""

from __future__ import annotations

from portal_events.ctpat import ScssAssigned
from portal_events.trade_accounts import CompanyInformationChanged, CompanyInformationData
from servicekit.auth import StaffRole


async def _ask(client, who, company, name="Acme Global Logistics", expect=201) -> dict:
    response = await client.post(f"/trade-accounts/{company.trade_account_id}/name-change-requests",
                                 headers=who.headers, json={"requested_name": name, "reason": "Rebranded in 2026."})
    assert response.status_code == expect, response.text
    return response.json()


async def _rename(scene, company, name: str, by) -> None:
    await scene.account_event(company, CompanyInformationChanged, changed_by=by.user_id,
                              company_information=CompanyInformationData(
                                  company_name=name, doing_business_as=None, number_of_employees=None,
                                  business_start_date=None, brief_history=None))


async def test_an_administrator_asks_the_assigned_scss_and_the_rename_closes_it(client, scene, fingerprint):
    company, other = await scene.company(), await scene.company()
    thread = await _ask(client, company.officer, company)
    assert (thread["kind"], thread["status"], thread["subject"]) == (
        "name_change", "open", "Company name change: Acme Global Logistics")
    assert thread["trade_account_id"] == str(company.trade_account_id) and thread["security_model_id"] is None
    assert "Rebranded in 2026." in thread["messages"][0]["body"]
    inbox = (await client.get("/inbox", headers=company.scss.headers)).json()["items"]
    assert [(t["id"], t["unread"], t["company_name"]) for t in inbox] == [
        (thread["id"], True, f"Company {company.trade_account_id.hex[:6]}")]
    # A user of the account who is no administrator may not ask (the account is theirs: 403); strangers see none.
    before = await fingerprint()
    await _ask(client, company.bystander, company, expect=403)
    for who in (other.officer, other.scss, company.bystander):
        assert (await client.get(f"/threads/{thread['id']}", headers=who.headers)).status_code == 404
    await _ask(client, other.officer, company, expect=404)
    # One open request per account.
    refused = await _ask(client, company.officer, company, name="Another Name", expect=409)
    assert refused["errors"][0]["field"] == "trade_account_id"
    assert await fingerprint() == before
    # The SCSS answers; then changes the name: the request closes with a word from the portal.
    await client.post(f"/threads/{thread['id']}/messages", headers=company.scss.headers,
                      json={"body": "Send us the amended registration, please."})
    await _rename(scene, company, "Acme Global Logistics", company.scss)
    shown = (await client.get(f"/threads/{thread['id']}", headers=company.officer.headers)).json()
    assert shown["status"] == "closed" and shown["messages"][0]["author"] == "system"
    assert "to \"Acme Global Logistics\"" in shown["messages"][0]["body"]
    closed = await client.post(f"/threads/{thread['id']}/messages", headers=company.officer.headers,
                               json={"body": "Thanks!"})
    assert closed.status_code == 409
    # A new request can follow.
    await _ask(client, company.officer, company, name="Acme Worldwide")


async def test_with_no_scss_the_request_goes_to_the_programs_mailbox_until_one_is_assigned(client, scene):
    company = await scene.company(assign=False)
    management, other_scss = scene.person([StaffRole.MANAGEMENT]), scene.person([StaffRole.SCSS])
    thread = await _ask(client, company.officer, company)
    assert [t["id"] for t in (await client.get("/inbox", headers=management.headers)).json()["items"]] == [
        thread["id"]]
    assert (await client.get("/inbox", headers=other_scss.headers)).json()["items"] == []
    reply = await client.post(f"/threads/{thread['id']}/messages", headers=management.headers,
                              json={"body": "An SCSS will be assigned to your account shortly."})
    assert reply.status_code == 201 and reply.json()["messages"][0]["author"] == "management"
    # An SCSS assigned to the account's model takes the open request over.
    await scene.model_event(company, ScssAssigned, scss_user_id=company.scss.user_id)
    assert [t["id"] for t in (await client.get("/inbox", headers=company.scss.headers)).json()["items"]] == [
        thread["id"]]
    assert (await client.get("/inbox", headers=management.headers)).json()["items"] == []
    assert (await client.get(f"/threads/{thread['id']}", headers=management.headers)).status_code == 404


async def test_the_request_names_a_new_name(client, scene):
    company = await scene.company()
    refused = await _ask(client, company.officer, company, name=f"Company {company.trade_account_id.hex[:6]}",
                         expect=422)
    assert refused["errors"][0]["field"] == "requested_name"
