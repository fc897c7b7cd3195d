"""DOC-01..DOC-03: who reads and writes each library, decided from the read models trade-accounts' and ctpat's
events keep (memberships and contacts change; tokens do not)."""

from __future__ import annotations

import pytest


async def _titles(client, who, library: str, **params) -> list[str]:
    response = await client.get(f"/libraries/{library}/documents", headers=who.headers, params=params)
    assert response.status_code == 200, response.text
    return [d["title"] for d in response.json()["items"]]


@pytest.mark.req("DOC-01")
async def test_every_trade_account_user_reads_the_trade_public_library_and_only_admin_uploads(
        client, scene, upload, fingerprint):
    company = await scene.company()
    admin = scene.admin()
    title = f"Trade bulletin {company.model_id.hex[:6]}"
    await upload(admin, library="trade_public", title=title, document_type="cbp_guidance")
    # A user of a Trade Account who is no contact of any C-TPAT account reads it (the manual says so).
    assert title in await _titles(client, company.bystander, "trade_public", title=title)
    assert title in await _titles(client, company.officer, "trade_public", title=title)
    # Nobody but an administrator uploads; a refusal changes nothing.
    before = await fingerprint()
    refused = await upload(company.officer, library="trade_public", title="Mine", expect=403)
    assert refused["status"] == 403 and "administrators" in refused["detail"]
    assert await fingerprint() == before
    # Someone with no Trade Account (a user registered, never added to one) does not read it.
    outsider = scene.person()
    response = await client.get("/libraries/trade_public/documents", headers=outsider.headers)
    assert response.status_code == 403 and response.headers["content-type"] == "application/problem+json"


@pytest.mark.req("DOC-01")
async def test_a_user_removed_from_their_trade_account_no_longer_reads_trade_public(client, scene):
    company = await scene.company()
    assert (await client.get("/libraries/trade_public/documents", headers=company.bystander.headers)).status_code == 200
    await scene.leave(company, company.bystander)
    assert (await client.get("/libraries/trade_public/documents", headers=company.bystander.headers)).status_code == 403


@pytest.mark.req("DOC-02")
async def test_contacts_of_any_model_read_the_ctpat_public_library_and_others_do_not(client, scene, upload):
    company = await scene.company()
    admin = scene.admin()
    title = f"MSC guidance {company.model_id.hex[:6]}"
    made = await upload(admin, library="ctpat_public", title=title, document_type="cbp_guidance")
    assert title in await _titles(client, company.officer, "ctpat_public", title=title)
    assert (await client.get(f"/documents/{made['id']}", headers=company.officer.headers)).status_code == 200
    # A Trade Account user who is no contact of a C-TPAT account: the library is not theirs (it exists: 403) ...
    response = await client.get("/libraries/ctpat_public/documents", headers=company.bystander.headers)
    assert response.status_code == 403
    # ... and its documents do not exist for them.
    assert (await client.get(f"/documents/{made['id']}", headers=company.bystander.headers)).status_code == 404
    # Made a contact, they read it; only Admin uploads to it.
    await scene.set_contacts(company, [company.officer, company.bystander])
    assert title in await _titles(client, company.bystander, "ctpat_public", title=title)
    await upload(company.officer, library="ctpat_public", expect=403)


@pytest.mark.req("DOC-03")
async def test_a_partner_library_is_its_contacts_and_its_scss_only(client, scene, upload, fingerprint):
    company, other = await scene.company(), await scene.company()
    contact = await scene.add_contact(company)
    made = await upload(company.officer, model_id=company.model_id, title="Container inspection checklist")
    # Its contacts and its SCSS read and write it.
    for who in (company.officer, contact, company.scss):
        assert "Container inspection checklist" in await _titles(
            client, who, "partner", security_model_id=str(company.model_id))
        assert (await client.get(f"/documents/{made['id']}", headers=who.headers)).status_code == 200
    await upload(contact, model_id=company.model_id, title="Seal log")
    await upload(company.scss, model_id=company.model_id, title="SCSS note", document_type="other")
    # Nobody else: not a user of the same Trade Account, not another company's contact, not another SCSS,
    # not even an administrator. For each the library and the document do not exist (404, as an unknown id).
    unknown = (await client.get(f"/documents/{company.trade_account_id}", headers=company.officer.headers)).json()
    for who in (company.bystander, other.officer, other.scss, scene.admin()):
        listing = await client.get("/libraries/partner/documents", headers=who.headers,
                                   params={"security_model_id": str(company.model_id)})
        assert listing.status_code == 404, who
        got = await client.get(f"/documents/{made['id']}", headers=who.headers)
        assert got.status_code == 404
        assert {k: v for k, v in got.json().items() if k != "instance"} == {
            k: v for k, v in unknown.items() if k != "instance"}
        before = await fingerprint()
        await upload(who, model_id=company.model_id, expect=404)
        assert await fingerprint() == before


@pytest.mark.req("DOC-03")
async def test_a_contact_removed_in_ctpat_and_a_reassigned_scss_lose_the_library(client, scene, upload):
    company = await scene.company()
    contact = await scene.add_contact(company)
    made = await upload(company.officer, model_id=company.model_id)
    assert (await client.get(f"/documents/{made['id']}", headers=contact.headers)).status_code == 200
    await scene.set_contacts(company, [company.officer])
    assert (await client.get(f"/documents/{made['id']}", headers=contact.headers)).status_code == 404
    assert (await client.get(f"/documents/{made['id']}/download", headers=contact.headers)).status_code == 404
    # A new SCSS takes over the account's library; the previous one no longer reaches it.
    from portal_events.ctpat import ScssAssigned
    from servicekit.auth import StaffRole
    previous, successor = company.scss, scene.person([StaffRole.SCSS])
    await scene.model_event(company, ScssAssigned, scss_user_id=successor.user_id)
    assert (await client.get(f"/documents/{made['id']}", headers=successor.headers)).status_code == 200
    assert (await client.get(f"/documents/{made['id']}", headers=previous.headers)).status_code == 404


async def test_the_libraries_a_user_reaches_are_listed_for_the_drop_down(client, scene):
    company, other = await scene.company(), await scene.company(scss=None)
    await scene.set_contacts(other, [other.officer, company.officer])  # the Officer is a contact of two models
    await scene.join(other, company.officer)
    body = (await client.get("/libraries", headers=company.officer.headers)).json()
    assert [p["library"] for p in body["public"]] == ["trade_public", "ctpat_public"]
    assert {p["security_model_id"] for p in body["partner"]} == {str(company.model_id), str(other.model_id)}
    scss_view = (await client.get("/libraries", headers=company.scss.headers)).json()
    assert [(p["security_model_id"], p["as_contact"]) for p in scss_view["partner"]] == [(str(company.model_id), False)]
    bystander = (await client.get("/libraries", headers=company.bystander.headers)).json()
    assert bystander == {"public": [{"library": "trade_public", "name": "Trade Public Document Library"}],
                         "partner": []}
