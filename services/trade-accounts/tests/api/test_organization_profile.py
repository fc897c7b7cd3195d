"""The Organization Profile through the API: TA-01..TA-07, ID-09, ID-11."""

from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from servicekit.auth import StaffRole
from trade_accounts import tables, use_cases
from trade_accounts.domain.trade_account import PersonDetails

NEW_DETAILS = PersonDetails("Dr.", "Ana", "Lopez-Ruiz", "Chief Compliance Officer", "+1 202 555 0111")


@pytest.mark.req("TA-01")
async def test_a_user_with_a_completed_profile_creates_an_account_and_administers_it(client, people, bodies):
    creator = await people.registered()
    response = await client.post("/trade-accounts", json=bodies.company, headers=creator.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["your_role"] == "company_administrator"
    [user] = body["users"]
    assert (user["email"], user["type"], user["status"]) == (creator.email, "company_administrator", "active")


@pytest.mark.req("TA-01")
@pytest.mark.req("ID-02")
async def test_without_a_completed_profile_or_as_staff_no_account_is_created(client, people, bodies):
    no_profile = await people.registered(profile=False)
    refused = await client.post("/trade-accounts", json=bodies.company, headers=no_profile.headers)
    assert refused.status_code == 403 and refused.json()["errors"][0]["field"] == "profile"
    assert (await client.post("/trade-accounts", json=bodies.company, headers=people.staff(StaffRole.SCSS).headers)).status_code == 403
    assert (await client.post("/trade-accounts", json=bodies.company)).status_code == 401
    assert (await client.get("/navigation", headers=no_profile.headers)).json() == []


@pytest.mark.req("PL-07")
async def test_bad_company_information_names_each_field(client, people):
    creator = await people.registered()
    response = await client.post(
        "/trade-accounts",
        json={"company_information": {"company_name": " ", "number_of_employees": -3, "business_start_date": "yesterday"}},
        headers=creator.headers,
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"company_information.company_name", "company_information.number_of_employees",
            "company_information.business_start_date"} <= fields


@pytest.mark.req("TA-02")
async def test_users_edit_company_information_but_only_cbp_renames(client, people, account):
    body, admin = account
    info = {**body["company_information"], "number_of_employees": 250}
    edited = await client.put(f"/trade-accounts/{body['id']}/company-information", json=info, headers=admin.headers)
    assert edited.status_code == 200 and edited.json()["company_information"]["number_of_employees"] == 250
    renamed = {**info, "company_name": "Acme Renamed Inc"}
    refused = await client.put(f"/trade-accounts/{body['id']}/company-information", json=renamed, headers=admin.headers)
    assert refused.status_code == 403 and refused.json()["errors"][0]["field"] == "company_name"
    scss = await client.put(f"/trade-accounts/{body['id']}/company-information", json=renamed, headers=people.staff(StaffRole.SCSS).headers)
    assert scss.status_code == 403  # no SCSS is assigned to this account, so it is Management's call
    by_management = await client.put(
        f"/trade-accounts/{body['id']}/company-information", json=renamed, headers=people.staff(StaffRole.MANAGEMENT).headers
    )
    assert by_management.status_code == 200
    assert by_management.json()["company_information"]["company_name"] == "Acme Renamed Inc"


@pytest.mark.req("TA-03")
async def test_addresses_are_added_changed_removed_and_refused_field_by_field(client, account, bodies):
    body, admin = account
    base = f"/trade-accounts/{body['id']}/addresses"
    missing = await client.post(base, json={"type": "headquarters", "country": "US"}, headers=admin.headers)
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"street_line_1", "city", "postal_code", "state"}
    added = await client.post(base, json=bodies.address, headers=admin.headers)
    assert added.status_code == 201, added.text
    address_id = added.json()["id"]
    moved = await client.put(f"{base}/{address_id}", json={**bodies.address, "city": "Baltimore", "state": "MD",
                                                           "postal_code": "21201"}, headers=admin.headers)
    assert moved.status_code == 200 and moved.json()["city"] == "Baltimore"
    profile = (await client.get(f"/trade-accounts/{body['id']}", headers=admin.headers)).json()
    assert [a["city"] for a in profile["addresses"]] == ["Baltimore"]
    assert (await client.delete(f"{base}/{address_id}", headers=admin.headers)).status_code == 204
    assert (await client.delete(f"{base}/{address_id}", headers=admin.headers)).status_code == 404


async def test_a_trade_account_with_a_single_user_shows_a_warning(client, people, account, bodies, runtime):
    body, admin = account
    assert [w["code"] for w in body["warnings"]] == ["single_user"]
    invited = await client.post(f"/trade-accounts/{body['id']}/users", json=bodies.new_user("later@example.com"),
                                headers=admin.headers)
    assert invited.json()["status"] == "invited"
    still = (await client.get(f"/trade-accounts/{body['id']}", headers=admin.headers)).json()
    assert [w["code"] for w in still["warnings"]] == ["single_user"]  # an invitation is not a user yet
    colleague = await people.registered()
    await client.post(f"/trade-accounts/{body['id']}/users", json=bodies.new_user(colleague.email), headers=admin.headers)
    assert (await client.get(f"/trade-accounts/{body['id']}", headers=admin.headers)).json()["warnings"] == []


@pytest.mark.req("TA-03")
async def test_an_address_in_a_country_without_postal_codes_needs_none(client, account, bodies):
    body, admin = account
    base = f"/trade-accounts/{body['id']}/addresses"
    hong_kong = {"type": "cargo_handling_facility", "street_line_1": "8 Container Port Rd", "city": "Kwai Chung",
                 "country": "HK"}
    added = await client.post(base, json=hong_kong, headers=admin.headers)
    assert added.status_code == 201, added.text
    assert added.json()["postal_code"] == ""
    refused = await client.post(base, json={**hong_kong, "city": "Dublin", "country": "IE"}, headers=admin.headers)
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["postal_code"]


@pytest.mark.req("TA-04")
async def test_users_are_added_with_confirmed_email_and_the_last_administrator_stays(client, people, account, bodies):
    body, admin = account
    base = f"/trade-accounts/{body['id']}/users"
    colleague = await people.registered()
    mismatch = await client.post(base, json={**bodies.new_user(colleague.email), "confirm_email": "other@example.com"},
                                 headers=admin.headers)
    assert mismatch.status_code == 422 and mismatch.json()["errors"][0]["field"] == "confirm_email"
    added = await client.post(base, json=bodies.new_user(colleague.email), headers=admin.headers)
    assert added.status_code == 201 and added.json()["status"] == "active"
    # a plain user may not manage users
    assert (await client.post(base, json=bodies.new_user("x@example.com"), headers=colleague.headers)).status_code == 403
    [admin_member] = [u for u in (await client.get(f"/trade-accounts/{body['id']}", headers=admin.headers)).json()["users"]
                      if u["user_id"] == str(admin.user_id)]
    assert (await client.delete(f"{base}/{admin_member['id']}", headers=admin.headers)).status_code == 409
    demote = {k: v for k, v in bodies.new_user(admin.email).items() if k not in ("email", "confirm_email")}
    assert (await client.put(f"{base}/{admin_member['id']}", json=demote, headers=admin.headers)).status_code == 409
    promote = {k: v for k, v in bodies.new_user(colleague.email, "company_administrator").items()
               if k not in ("email", "confirm_email")}
    assert (await client.put(f"{base}/{added.json()['id']}", json=promote, headers=admin.headers)).status_code == 200
    assert (await client.put(f"{base}/{admin_member['id']}", json=demote, headers=admin.headers)).status_code == 200


@pytest.mark.req("TA-05")
@pytest.mark.req("ID-02")
async def test_an_invited_person_becomes_an_active_user_once_registered_with_a_completed_profile(
    client, people, account, bodies, runtime
):
    body, admin = account
    future = people.person()
    invited = await client.post(f"/trade-accounts/{body['id']}/users", json=bodies.new_user(future.email), headers=admin.headers)
    assert invited.status_code == 201 and invited.json()["status"] == "invited"
    assert (await client.get(f"/trade-accounts/{body['id']}", headers=future.headers)).status_code == 404
    async with runtime.database.transaction() as session:  # identity's UserRegistered, as the consumer applies it
        await use_cases.user_registered(session, runtime.context, future.user_id, future.email.upper())
    # registered, but no profile yet (ID-02): still an invitation
    assert (await client.get(f"/trade-accounts/{body['id']}", headers=future.headers)).status_code == 404
    async with runtime.database.transaction() as session:  # identity's UserProfileUpdated
        await use_cases.user_profile_updated(session, runtime.context, future.user_id, NEW_DETAILS)
    seen = await client.get(f"/trade-accounts/{body['id']}", headers=future.headers)
    assert seen.status_code == 200 and seen.json()["your_role"] == "user"
    [member] = [u for u in seen.json()["users"] if u["user_id"] == str(future.user_id)]
    assert (member["status"], member["last_name"], member["title"]) == ("active", "Lopez-Ruiz", "Chief Compliance Officer")


@pytest.mark.req("TA-05")
async def test_an_invited_person_is_mailed_who_invited_them_to_which_account_and_where_to_register(
    client, people, account, bodies, runtime, settings
):
    import os
    from email import message_from_bytes
    from email.policy import default
    from pathlib import Path

    from servicekit.mail import MailSender

    body, admin = account
    invited_email = f"invitee-{uuid.uuid4().hex[:8]}@example.com"
    added = await client.post(f"/trade-accounts/{body['id']}/users", json=bodies.new_user(invited_email),
                              headers=admin.headers)
    assert added.status_code == 201 and added.json()["status"] == "invited"
    colleague = await people.registered()  # an active user at once: no invitation, no mail
    await client.post(f"/trade-accounts/{body['id']}/users", json=bodies.new_user(colleague.email), headers=admin.headers)
    sender = MailSender.from_settings(settings, runtime.database, tables.mail_outbox, runtime.clock)
    while await sender.send_pending():  # the worker's loop, until the queue is empty
        pass
    delivered = [message_from_bytes(p.read_bytes(), policy=default) for p in Path(os.environ["PORTAL_MAIL_DIR"]).glob("*.eml")]
    [mail] = [m for m in delivered if m["To"] == invited_email]
    text = mail.get_content()
    assert "Acme Imports LLC" in mail["Subject"] and "Acme Imports LLC" in text
    assert "Ms. Ana Lopez" in text and admin.email in text  # who invited them (the creator's profile)
    assert f"{settings.public_url.rstrip('/')}/register?email={invited_email.replace('@', '%40')}" in text
    assert not [m for m in delivered if m["To"] == colleague.email]


@pytest.mark.req("ID-02")
@pytest.mark.req("TA-05")
async def test_a_person_without_a_completed_profile_is_not_made_an_active_administrator(
    client, people, account, bodies, runtime
):
    body, admin = account
    no_profile = await people.registered(profile=False)
    added = await client.post(f"/trade-accounts/{body['id']}/users",
                              json=bodies.new_user(no_profile.email, "company_administrator"), headers=admin.headers)
    assert added.status_code == 201 and added.json()["status"] == "invited"
    assert (await client.get(f"/trade-accounts/{body['id']}", headers=no_profile.headers)).status_code == 404
    assert (await client.post(f"/trade-accounts/{body['id']}/users", json=bodies.new_user("x@example.com"),
                              headers=no_profile.headers)).status_code == 404
    assert (await client.get("/navigation", headers=no_profile.headers)).json() == []
    async with runtime.database.transaction() as session:
        await use_cases.user_profile_updated(session, runtime.context, no_profile.user_id, NEW_DETAILS)
    assert (await client.get(f"/trade-accounts/{body['id']}", headers=no_profile.headers)).json()["your_role"] == \
        "company_administrator"


# No rule names it; ID-02's profile is what every listing of the person shows, as ID-09 does for the email.
@pytest.mark.req("ID-02")
async def test_a_profile_change_reaches_every_account_listing_the_user(client, people, bodies, runtime):
    person = await people.registered()
    first = (await client.post("/trade-accounts", json=bodies.company, headers=person.headers)).json()
    second = (await client.post("/trade-accounts", json=bodies.company, headers=person.headers)).json()
    async with runtime.database.transaction() as session:  # identity's UserProfileUpdated
        await use_cases.user_profile_updated(session, runtime.context, person.user_id, NEW_DETAILS)
    for account_id in (first["id"], second["id"]):
        users = (await client.get(f"/trade-accounts/{account_id}", headers=person.headers)).json()["users"]
        [me] = [u for u in users if u["user_id"] == str(person.user_id)]
        assert (me["salutation"], me["first_name"], me["last_name"], me["title"], me["phone"]) == (
            "Dr.", "Ana", "Lopez-Ruiz", "Chief Compliance Officer", "+1 202 555 0111")
    async with runtime.database.transaction() as session:
        changed = (await session.execute(
            select(tables.outbox.c.payload).where(tables.outbox.c.key.in_([first["id"], second["id"]]))
            .where(tables.outbox.c.event_type == "TradeAccountUserChanged.v1")
        )).scalars().all()
    assert sorted(p["member"]["last_name"] for p in changed) == ["Lopez-Ruiz", "Lopez-Ruiz"]


@pytest.mark.req("TA-06")
async def test_the_summary_shows_the_whole_profile_and_downloads_as_a_pdf(client, account, bodies):
    body, admin = account
    await client.post(f"/trade-accounts/{body['id']}/addresses", json=bodies.address, headers=admin.headers)
    summary = (await client.get(f"/trade-accounts/{body['id']}/summary", headers=admin.headers)).json()
    assert summary["company_information"]["company_name"] == "Acme Imports LLC"
    assert len(summary["addresses"]) == 1 and len(summary["users"]) == 1
    pdf = await client.get(f"/trade-accounts/{body['id']}/summary.pdf", headers=admin.headers)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in ("Organization Profile Summary", "Acme Imports LLC", "1300 Pennsylvania Ave NW", "20229",
                     "Headquarters", admin.email, "Company Administrator", "Importer of industrial fasteners."):
        assert expected in text, expected


@pytest.mark.req("TA-06")
async def test_the_summary_pdf_prints_names_beyond_latin_1(client, people, bodies, runtime):
    creator = await people.registered()
    company = {"company_information": {**bodies.company["company_information"],
                                       "company_name": "Przedsiębiorstwo Łódź Sp. z o.o."}}
    body = (await client.post("/trade-accounts", json=company, headers=creator.headers)).json()
    address = {"type": "headquarters", "street_line_1": "ul. Piotrkowska 104", "city": "Łódź", "country": "PL",
               "postal_code": "90-926"}
    assert (await client.post(f"/trade-accounts/{body['id']}/addresses", json=address,
                              headers=creator.headers)).status_code == 201
    user = {**bodies.new_user("nguyen@example.com"), "first_name": "Thị Minh", "last_name": "Nguyễn"}
    assert (await client.post(f"/trade-accounts/{body['id']}/users", json=user, headers=creator.headers)).status_code == 201
    pdf = await client.get(f"/trade-accounts/{body['id']}/summary.pdf", headers=creator.headers)
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for expected in ("Przedsiębiorstwo Łódź Sp. z o.o.", "ul. Piotrkowska 104", "Łódź", "Thị Minh Nguyễn"):
        assert expected in text, expected
    fonts = {f["/BaseFont"] for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert any("NotoSans" in str(name) for name in fonts)  # embedded (Helvetica stays listed, as ReportLab's default)
    assert any("OpenSans-Bold" in str(name) for name in fonts)  # headings are bold, in a font that has Łódź


@pytest.mark.req("TA-07")
@pytest.mark.req("ID-11")
async def test_navigation_lists_every_account_with_the_role_held_in_each(client, people, bodies):
    person = await people.registered()
    other_admin = await people.registered()
    own = (await client.post("/trade-accounts", json=bodies.company, headers=person.headers)).json()
    other_company = {"company_information": {**bodies.company["company_information"], "company_name": "Beta Freight"}}
    other = (await client.post("/trade-accounts", json=other_company, headers=other_admin.headers)).json()
    await client.post(f"/trade-accounts/{other['id']}/users", json=bodies.new_user(person.email), headers=other_admin.headers)
    organizations = (await client.get("/navigation", headers=person.headers)).json()
    roles = {a["company_name"]: a["role"] for o in organizations for a in o["accounts"]}
    assert roles == {"Acme Imports LLC": "company_administrator", "Beta Freight": "user"}
    assert {o["top"]["trade_account_id"] for o in organizations} == {own["id"], other["id"]}


@pytest.mark.req("ID-09")
async def test_an_email_change_reaches_every_account_listing_the_user(client, people, bodies, runtime):
    person = await people.registered()
    first = (await client.post("/trade-accounts", json=bodies.company, headers=person.headers)).json()
    second = (await client.post("/trade-accounts", json=bodies.company, headers=person.headers)).json()
    async with runtime.database.transaction() as session:
        await use_cases.user_email_changed(session, runtime.context, person.user_id, "New.Address@Example.com")
    for account_id in (first["id"], second["id"]):
        users = (await client.get(f"/trade-accounts/{account_id}", headers=person.headers)).json()["users"]
        assert [u["email"] for u in users if u["user_id"] == str(person.user_id)] == ["new.address@example.com"]
    async with runtime.database.transaction() as session:
        events = (await session.execute(
            select(tables.outbox.c.event_type).where(tables.outbox.c.key.in_([first["id"], second["id"]]))
            .where(tables.outbox.c.event_type == "TradeAccountUserChanged.v1")
        )).scalars().all()
    assert len(events) == 2


@pytest.mark.req("TA-16")
async def test_what_a_security_model_uses_cannot_leave_the_organization_profile(client, people, account, bodies, runtime):
    body, admin = account
    address = (await client.post(f"/trade-accounts/{body['id']}/addresses", json=bodies.address, headers=admin.headers)).json()
    colleague = await people.registered()
    member = (await client.post(f"/trade-accounts/{body['id']}/users", json=bodies.new_user(colleague.email),
                                headers=admin.headers)).json()
    model = uuid.uuid4()
    async with runtime.database.transaction() as session:  # ctpat's CompanyProfileAddressesChanged and ContactsChanged
        await use_cases.security_model_uses(session, model, uuid.UUID(body["id"]), address_ids=[uuid.UUID(address["id"])],
                                            member_ids=[uuid.UUID(member["id"])])
    refused = await client.delete(f"/trade-accounts/{body['id']}/addresses/{address['id']}", headers=admin.headers)
    assert refused.status_code == 409 and refused.json()["errors"][0]["field"] == "address_id"
    refused = await client.delete(f"/trade-accounts/{body['id']}/users/{member['id']}", headers=admin.headers)
    assert refused.status_code == 409 and refused.json()["errors"][0]["field"] == "member_id"
    async with runtime.database.transaction() as session:  # the model stops using them
        await use_cases.security_model_uses(session, model, uuid.UUID(body["id"]), address_ids=[], member_ids=[])
    assert (await client.delete(f"/trade-accounts/{body['id']}/addresses/{address['id']}", headers=admin.headers)).status_code == 204
    assert (await client.delete(f"/trade-accounts/{body['id']}/users/{member['id']}", headers=admin.headers)).status_code == 204
