"""Trade Account operations through the API: link, delink, split, merge, approvals, Tasks (TA-08..TA-15)."""

from __future__ import annotations

import uuid

import pytest

from servicekit.auth import StaffRole
from trade_accounts import use_cases

REASON = "Acme Holdings acquired Beta Freight in 2026; one organisation now."


async def account_of(client, person, bodies, name: str) -> dict:
    company = {"company_information": {**bodies.company["company_information"], "company_name": name}}
    response = await client.post("/trade-accounts", json=company, headers=person.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def add_user(client, admin, account, person, bodies, type_="user"):
    response = await client.post(f"/trade-accounts/{account['id']}/users", json=bodies.new_user(person.email, type_),
                                 headers=admin.headers)
    assert response.status_code == 201, response.text


@pytest.fixture
async def two_companies(client, people, bodies):
    """Acme (administered by `requester`, who is also a user of Beta) and Beta (administered by `other`)."""
    requester, other = await people.registered(), await people.registered()
    acme = await account_of(client, requester, bodies, "Acme Holdings")
    beta = await account_of(client, other, bodies, "Beta Freight")
    await add_user(client, other, beta, requester, bodies)
    return requester, other, acme, beta


async def link(client, requester, parent, subsidiary, reason=REASON):
    return await client.post("/trade-account-requests/link", json={
        "requesting_account_id": parent["id"], "parent_id": parent["id"], "subsidiary_id": subsidiary["id"],
        "reason": reason}, headers=requester.headers)


@pytest.mark.req("TA-10")
@pytest.mark.req("TA-15")
async def test_a_link_waits_for_the_other_administrator_then_shows_in_navigation(client, two_companies):
    requester, other, acme, beta = two_companies
    created = await link(client, requester, acme, beta)
    assert created.status_code == 201, created.text
    request = created.json()
    assert request["status"] == "pending" and [a["kind"] for a in request["approvals"]] == ["company_administrator"]
    mine = (await client.get("/tasks", headers=requester.headers)).json()
    assert [r["id"] for r in mine["requested"]] == [request["id"]] and mine["to_act_on"] == []
    theirs = (await client.get("/tasks", headers=other.headers)).json()
    assert [r["id"] for r in theirs["to_act_on"]] == [request["id"]]
    refused = await client.post(f"/trade-account-requests/{request['id']}/decision", json={"decision": "approved"},
                                headers=requester.headers)
    assert refused.status_code == 403
    approved = await client.post(f"/trade-account-requests/{request['id']}/decision", json={"decision": "approved"},
                                 headers=other.headers)
    assert approved.status_code == 200 and approved.json()["status"] == "completed"
    assert [h["action"] for h in approved.json()["history"]] == ["requested", "approved as Company Administrator",
                                                                "took effect"]
    organizations = (await client.get("/navigation", headers=requester.headers)).json()
    [organization] = organizations
    assert organization["top"]["trade_account_id"] == acme["id"]
    assert {a["company_name"]: a["parent_id"] for a in organization["accounts"]} == {
        "Acme Holdings": None, "Beta Freight": acme["id"]}
    assert (await client.get("/tasks", headers=other.headers)).json()["to_act_on"] == []


@pytest.mark.req("TA-15")
async def test_tasks_are_filtered_to_one_trade_account(client, people, bodies, two_companies):
    requester, other, acme, beta = two_companies
    gamma = await account_of(client, other, bodies, "Gamma Logistics")
    await add_user(client, other, gamma, requester, bodies)
    to_beta = (await link(client, requester, acme, beta)).json()
    delta = await account_of(client, requester, bodies, "Delta Trading")
    to_gamma = (await link(client, requester, delta, gamma)).json()
    everything = (await client.get("/tasks", headers=other.headers)).json()
    assert {r["id"] for r in everything["to_act_on"]} == {to_beta["id"], to_gamma["id"]}
    only_gamma = (await client.get("/tasks", params={"trade_account_id": gamma["id"]}, headers=other.headers)).json()
    assert [r["id"] for r in only_gamma["to_act_on"]] == [to_gamma["id"]]
    mine = (await client.get("/tasks", params={"trade_account_id": beta["id"]}, headers=requester.headers)).json()
    assert [r["id"] for r in mine["requested"]] == [to_beta["id"]] and mine["to_act_on"] == []
    assert (await client.get("/tasks", params={"trade_account_id": "nope"}, headers=other.headers)).status_code == 422


@pytest.mark.req("TA-08")
async def test_link_preconditions_at_the_api(client, people, bodies, two_companies):
    requester, other, acme, beta = two_companies
    vague = await link(client, requester, acme, beta, reason="because")
    assert vague.status_code == 422 and vague.json()["errors"][0]["field"] == "reason"
    assert (await link(client, requester, acme, acme)).status_code == 422
    first = (await link(client, requester, acme, beta)).json()
    assert (await link(client, requester, acme, beta)).status_code == 409  # one pending request at a time
    await client.post(f"/trade-account-requests/{first['id']}/decision", json={"decision": "approved"}, headers=other.headers)
    # Beta now has a parent: under another TOP only after a delink
    gamma = await account_of(client, requester, bodies, "Gamma Logistics")
    again = await link(client, requester, gamma, beta)
    assert again.status_code == 409 and "delink" in again.json()["detail"]
    # and no circle: Acme cannot go under its own subsidiary Beta
    circle = await client.post("/trade-account-requests/link", json={
        "requesting_account_id": acme["id"], "parent_id": beta["id"], "subsidiary_id": acme["id"], "reason": REASON},
        headers=requester.headers)
    assert circle.status_code == 409


@pytest.mark.req("TA-09")
async def test_a_stranger_or_plain_user_cannot_request(client, people, bodies, two_companies):
    requester, other, acme, beta = two_companies
    stranger = await people.registered()
    refused = await link(client, stranger, acme, beta)
    assert refused.status_code == 404  # they see neither account
    plain = await people.registered()
    await add_user(client, requester, acme, plain, bodies)
    await add_user(client, other, beta, plain, bodies)
    assert (await link(client, plain, acme, beta)).status_code == 403


@pytest.mark.req("TA-11")
async def test_with_a_security_model_management_must_approve_too_and_may_decline(client, people, runtime, two_companies):
    requester, other, acme, beta = two_companies
    async with runtime.database.transaction() as session:  # ctpat's SecurityModelCreated, as the consumer applies it
        await use_cases.security_model_created(session, uuid.uuid4(), uuid.UUID(beta["id"]))
    request = (await link(client, requester, acme, beta)).json()
    assert {a["kind"] for a in request["approvals"]} == {"company_administrator", "management"}
    management = people.staff(StaffRole.MANAGEMENT)
    assert request["id"] in [r["id"] for r in (await client.get("/tasks", headers=management.headers)).json()["to_act_on"]]
    await client.post(f"/trade-account-requests/{request['id']}/decision", json={"decision": "approved"}, headers=other.headers)
    beta_now = (await client.get(f"/trade-accounts/{beta['id']}", headers=other.headers)).json()
    assert beta_now["parent_id"] is None  # not before Management
    no_reason = await client.post(f"/trade-account-requests/{request['id']}/decision", json={"decision": "declined"},
                                  headers=management.headers)
    assert no_reason.status_code == 422
    declined = await client.post(f"/trade-account-requests/{request['id']}/decision",
                                 json={"decision": "declined", "reason": "Validate the C-TPAT account first."},
                                 headers=management.headers)
    assert declined.json()["status"] == "declined"
    assert declined.json()["history"][-1]["detail"] == "Validate the C-TPAT account first."
    mine = (await client.get("/tasks", headers=requester.headers)).json()["requested"]
    assert [r["status"] for r in mine if r["id"] == request["id"]] == ["declined"]


@pytest.mark.req("TA-11")
async def test_management_is_needed_when_a_security_model_arrives_after_submission(client, people, runtime,
                                                                                   two_companies):
    requester, other, acme, beta = two_companies
    request = (await link(client, requester, acme, beta)).json()
    assert [a["kind"] for a in request["approvals"]] == ["company_administrator"]
    async with runtime.database.transaction() as session:  # ctpat's SecurityModelCreated, after the submission
        await use_cases.security_model_created(session, uuid.uuid4(), uuid.UUID(beta["id"]))
    management = people.staff(StaffRole.MANAGEMENT)
    assert request["id"] in [r["id"] for r in (await client.get("/tasks", headers=management.headers)).json()["to_act_on"]]
    approved = await client.post(f"/trade-account-requests/{request['id']}/decision", json={"decision": "approved"},
                                 headers=other.headers)
    assert approved.json()["status"] == "pending"
    assert (await client.get(f"/trade-accounts/{beta['id']}", headers=other.headers)).json()["parent_id"] is None
    done = await client.post(f"/trade-account-requests/{request['id']}/decision", json={"decision": "approved"},
                             headers=management.headers)
    assert done.json()["status"] == "completed"


@pytest.mark.req("TA-11")
async def test_management_is_not_needed_when_the_security_model_left_before_the_decision(client, people, runtime,
                                                                                         two_companies):
    requester, other, acme, beta = two_companies
    model = uuid.uuid4()
    async with runtime.database.transaction() as session:
        await use_cases.security_model_created(session, model, uuid.UUID(beta["id"]))
    request = (await link(client, requester, acme, beta)).json()
    assert {a["kind"] for a in request["approvals"]} == {"company_administrator", "management"}
    async with runtime.database.transaction() as session:  # ctpat's SecurityModelMoved: to an unrelated account
        await use_cases.security_model_moved(session, model, uuid.uuid4())
    management = people.staff(StaffRole.MANAGEMENT)
    assert request["id"] not in [r["id"] for r in
                                 (await client.get("/tasks", headers=management.headers)).json()["to_act_on"]]
    approved = await client.post(f"/trade-account-requests/{request['id']}/decision", json={"decision": "approved"},
                                 headers=other.headers)
    assert approved.json()["status"] == "completed"
    assert (await client.get(f"/trade-accounts/{beta['id']}", headers=other.headers)).json()["parent_id"] == acme["id"]


@pytest.mark.req("TA-12")
async def test_delink_makes_the_subsidiary_top_level_again(client, two_companies):
    requester, other, acme, beta = two_companies
    linked = (await link(client, requester, acme, beta)).json()
    await client.post(f"/trade-account-requests/{linked['id']}/decision", json={"decision": "approved"}, headers=other.headers)
    delink = await client.post("/trade-account-requests/delink", json={
        "requesting_account_id": beta["id"], "parent_id": acme["id"], "subsidiary_id": beta["id"], "reason": REASON},
        headers=other.headers)
    assert delink.status_code == 201, delink.text
    assert delink.json()["approvals"][0]["trade_account_id"] == acme["id"]
    done = await client.post(f"/trade-account-requests/{delink.json()['id']}/decision", json={"decision": "approved"},
                             headers=requester.headers)
    assert done.json()["status"] == "completed"
    assert (await client.get(f"/trade-accounts/{beta['id']}", headers=other.headers)).json()["parent_id"] is None


@pytest.mark.req("TA-13")
async def test_a_split_moves_the_chosen_security_model_after_management_approves(client, people, runtime, bodies):
    admin = await people.registered()
    acme = await account_of(client, admin, bodies, "Acme Imports and Exports")
    model = uuid.uuid4()
    async with runtime.database.transaction() as session:
        await use_cases.security_model_created(session, model, uuid.UUID(acme["id"]))
    split = await client.post("/trade-account-requests/split", json={
        "source_id": acme["id"], "new_company_name": "Acme Exports LLC", "security_model_ids": [str(model)],
        "reason": REASON}, headers=admin.headers)
    assert split.status_code == 201 and split.json()["status"] == "pending"
    done = await client.post(f"/trade-account-requests/{split.json()['id']}/decision", json={"decision": "approved"},
                             headers=people.staff(StaffRole.MANAGEMENT).headers)
    assert done.json()["status"] == "completed"
    names = {a["company_name"] for o in (await client.get("/navigation", headers=admin.headers)).json() for a in o["accounts"]}
    assert names == {"Acme Imports and Exports", "Acme Exports LLC"}
    async with runtime.database.transaction() as session:
        from trade_accounts.repository import SecurityModelRepository
        models = await SecurityModelRepository(session).of_accounts([uuid.UUID(acme["id"])])
    assert models[uuid.UUID(acme["id"])] == set()
    # without a Security Model to move, a split needs nobody else
    quick = await client.post("/trade-account-requests/split", json={
        "source_id": acme["id"], "new_company_name": "Acme Training LLC", "reason": REASON}, headers=admin.headers)
    assert quick.json()["status"] == "completed"


@pytest.mark.req("TA-14")
async def test_a_merge_moves_users_and_addresses_and_closes_the_merged_account(client, people, bodies, two_companies):
    requester, other, acme, beta = two_companies
    await client.post(f"/trade-accounts/{beta['id']}/addresses", json=bodies.address, headers=other.headers)
    merge = await client.post("/trade-account-requests/merge", json={
        "requesting_account_id": acme["id"], "survivor_id": acme["id"], "merged_id": beta["id"], "reason": REASON},
        headers=requester.headers)
    assert merge.status_code == 201, merge.text
    done = await client.post(f"/trade-account-requests/{merge.json()['id']}/decision", json={"decision": "approved"},
                             headers=other.headers)
    assert done.json()["status"] == "completed"
    survivor = (await client.get(f"/trade-accounts/{acme['id']}", headers=requester.headers)).json()
    assert len(survivor["addresses"]) == 1
    assert {u["email"]: u["type"] for u in survivor["users"]} == {
        requester.email: "company_administrator", other.email: "company_administrator"}
    assert (await client.get(f"/trade-accounts/{beta['id']}", headers=other.headers)).status_code == 404
    assert [a["company_name"] for o in (await client.get("/navigation", headers=other.headers)).json()
            for a in o["accounts"]] == ["Acme Holdings"]


async def usage_agrees_with_accounts(runtime, *account_ids) -> dict[uuid.UUID, dict[uuid.UUID, set[uuid.UUID]]]:
    """Every recorded use names an entry of the account holding the model, and each aggregate sees those uses.

    Returns, per account, what each of its models uses (addresses and members together)."""
    from sqlalchemy import select

    from trade_accounts import tables
    from trade_accounts.repository import TradeAccountRepository

    found = {}
    async with runtime.database.transaction() as session:
        u, sm = tables.security_model_usage, tables.security_models
        for account_id in map(uuid.UUID, account_ids):
            account = await TradeAccountRepository(session).get(account_id)
            rows = (await session.execute(select(u).where(u.c.trade_account_id == account_id))).all()
            homes = dict((await session.execute(select(sm.c.id, sm.c.trade_account_id))).all())
            assert all(homes[r.security_model_id] == account_id for r in rows)
            assert {r.entry_id for r in rows if r.entry_kind == "address"} <= {a.id for a in account.addresses}
            assert {r.entry_id for r in rows if r.entry_kind == "member"} <= {m.id for m in account.members}
            assert account.used_address_ids == {r.entry_id for r in rows if r.entry_kind == "address"}
            assert account.used_member_ids == {r.entry_id for r in rows if r.entry_kind == "member"}
            per_model: dict[uuid.UUID, set[uuid.UUID]] = {}
            for r in rows:
                per_model.setdefault(r.security_model_id, set()).add(r.entry_id)
            found[account_id] = per_model
    return found


@pytest.mark.req("TA-13")
@pytest.mark.req("TA-16")
async def test_a_split_copies_what_the_moving_model_uses_into_the_new_account(client, people, runtime, bodies):
    admin, officer = await people.registered(), await people.registered()
    acme = await account_of(client, admin, bodies, "Acme Imports and Exports")
    base = f"/trade-accounts/{acme['id']}"
    hq = (await client.post(f"{base}/addresses", json=bodies.address, headers=admin.headers)).json()
    plant = (await client.post(f"{base}/addresses", json={**bodies.address, "street_line_1": "1 Dock Rd"},
                               headers=admin.headers)).json()
    officer_member = (await client.post(f"{base}/users", json=bodies.new_user(officer.email),
                                        headers=admin.headers)).json()
    [admin_member] = [u for u in (await client.get(base, headers=admin.headers)).json()["users"]
                      if u["email"] == admin.email]
    moving, staying = uuid.uuid4(), uuid.uuid4()
    async with runtime.database.transaction() as session:  # ctpat: the two models and what they use
        for model in (moving, staying):
            await use_cases.security_model_created(session, model, uuid.UUID(acme["id"]))
        await use_cases.security_model_uses(session, moving, uuid.UUID(acme["id"]),
                                            address_ids=[uuid.UUID(hq["id"])],
                                            member_ids=[uuid.UUID(officer_member["id"]), uuid.UUID(admin_member["id"])])
        await use_cases.security_model_uses(session, staying, uuid.UUID(acme["id"]),
                                            address_ids=[uuid.UUID(plant["id"])],
                                            member_ids=[uuid.UUID(officer_member["id"])])
    split = (await client.post("/trade-account-requests/split", json={
        "source_id": acme["id"], "new_company_name": "Acme Exports LLC", "security_model_ids": [str(moving)],
        "reason": REASON}, headers=admin.headers)).json()
    await client.post(f"/trade-account-requests/{split['id']}/decision", json={"decision": "approved"},
                      headers=people.staff(StaffRole.MANAGEMENT).headers)
    [exports] = [a for o in (await client.get("/navigation", headers=admin.headers)).json() for a in o["accounts"]
                 if a["company_name"] == "Acme Exports LLC"]
    new = (await client.get(f"/trade-accounts/{exports['trade_account_id']}", headers=admin.headers)).json()
    assert [a["id"] for a in new["addresses"]] == [hq["id"]]
    assert {u["id"]: u["type"] for u in new["users"]} == {admin_member["id"]: "company_administrator",
                                                          officer_member["id"]: "user"}
    uses = await usage_agrees_with_accounts(runtime, acme["id"], exports["trade_account_id"])
    assert uses[uuid.UUID(exports["trade_account_id"])] == {
        moving: {uuid.UUID(hq["id"]), uuid.UUID(officer_member["id"]), uuid.UUID(admin_member["id"])}}
    assert set(uses[uuid.UUID(acme["id"])]) == {staying}
    # the source keeps its own; what only the moved model used may now leave it, not the copy
    assert (await client.delete(f"{base}/addresses/{hq['id']}", headers=admin.headers)).status_code == 204
    assert (await client.delete(f"{base}/addresses/{plant['id']}", headers=admin.headers)).status_code == 409
    copy = f"/trade-accounts/{exports['trade_account_id']}/addresses/{hq['id']}"
    assert (await client.delete(copy, headers=admin.headers)).status_code == 409


@pytest.mark.req("TA-14")
@pytest.mark.req("TA-16")
async def test_a_merge_remaps_what_the_merged_accounts_model_uses(client, people, runtime, bodies, two_companies):
    requester, other, acme, beta = two_companies
    beta_base = f"/trade-accounts/{beta['id']}"
    dock = (await client.post(f"{beta_base}/addresses", json=bodies.address, headers=other.headers)).json()
    users = (await client.get(beta_base, headers=other.headers)).json()["users"]
    [requester_in_beta] = [u["id"] for u in users if u["email"] == requester.email]
    [other_in_beta] = [u["id"] for u in users if u["email"] == other.email]
    model = uuid.uuid4()
    async with runtime.database.transaction() as session:
        await use_cases.security_model_created(session, model, uuid.UUID(beta["id"]))
        await use_cases.security_model_uses(session, model, uuid.UUID(beta["id"]), address_ids=[uuid.UUID(dock["id"])],
                                            member_ids=[uuid.UUID(requester_in_beta), uuid.UUID(other_in_beta)])
    merge = (await client.post("/trade-account-requests/merge", json={
        "requesting_account_id": acme["id"], "survivor_id": acme["id"], "merged_id": beta["id"], "reason": REASON},
        headers=requester.headers)).json()
    for who in (other, people.staff(StaffRole.MANAGEMENT)):
        await client.post(f"/trade-account-requests/{merge['id']}/decision", json={"decision": "approved"},
                          headers=who.headers)
    survivor = (await client.get(f"/trade-accounts/{acme['id']}", headers=requester.headers)).json()
    assert survivor["version"] > acme["version"]
    [requester_in_acme] = [u["id"] for u in survivor["users"] if u["email"] == requester.email]
    assert requester_in_acme != requester_in_beta
    uses = await usage_agrees_with_accounts(runtime, acme["id"])
    assert uses[uuid.UUID(acme["id"])] == {
        model: {uuid.UUID(dock["id"]), uuid.UUID(requester_in_acme), uuid.UUID(other_in_beta)}}
    refused = await client.delete(f"/trade-accounts/{acme['id']}/users/{requester_in_acme}", headers=requester.headers)
    assert refused.status_code == 409


@pytest.mark.req("TA-16")
async def test_ctpat_naming_entries_outside_the_models_account_records_only_those_inside(
    client, people, runtime, bodies, two_companies
):
    requester, other, acme, beta = two_companies
    acme_address = (await client.post(f"/trade-accounts/{acme['id']}/addresses", json=bodies.address,
                                      headers=requester.headers)).json()
    beta_address = (await client.post(f"/trade-accounts/{beta['id']}/addresses", json=bodies.address,
                                      headers=other.headers)).json()
    model = uuid.uuid4()
    async with runtime.database.transaction() as session:  # an event naming Beta's address for Acme's model
        await use_cases.security_model_created(session, model, uuid.UUID(acme["id"]))
        await use_cases.security_model_uses(session, model, uuid.UUID(acme["id"]),
                                            address_ids=[uuid.UUID(acme_address["id"]), uuid.UUID(beta_address["id"]),
                                                         uuid.uuid4()])
    uses = await usage_agrees_with_accounts(runtime, acme["id"], beta["id"])
    assert uses[uuid.UUID(acme["id"])] == {model: {uuid.UUID(acme_address["id"])}}
    assert uses[uuid.UUID(beta["id"])] == {}
    removed = await client.delete(f"/trade-accounts/{beta['id']}/addresses/{beta_address['id']}", headers=other.headers)
    assert removed.status_code == 204


@pytest.mark.req("TA-02")
async def test_the_assigned_scss_renames_the_company(client, people, runtime, account):
    body, admin = account
    scss = people.staff(StaffRole.SCSS)
    async with runtime.database.transaction() as session:  # ctpat's ScssAssigned
        await use_cases.scss_assigned(session, uuid.uuid4(), uuid.UUID(body["id"]), scss.user_id)
    renamed = {**body["company_information"], "company_name": "Acme Imports Holdings LLC"}
    by_management = await client.put(f"/trade-accounts/{body['id']}/company-information", json=renamed,
                                     headers=people.staff(StaffRole.MANAGEMENT).headers)
    assert by_management.status_code == 403
    by_scss = await client.put(f"/trade-accounts/{body['id']}/company-information", json=renamed, headers=scss.headers)
    assert by_scss.status_code == 200


async def test_only_the_requester_cancels_and_strangers_see_no_request(client, people, two_companies):
    requester, other, acme, beta = two_companies
    request = (await link(client, requester, acme, beta)).json()
    stranger = await people.registered()
    assert (await client.get(f"/trade-account-requests/{request['id']}", headers=stranger.headers)).status_code == 404
    assert (await client.post(f"/trade-account-requests/{request['id']}/cancel", headers=other.headers)).status_code == 403
    cancelled = await client.post(f"/trade-account-requests/{request['id']}/cancel", headers=requester.headers)
    assert cancelled.json()["status"] == "cancelled"


@pytest.mark.req("PL-02")
async def test_every_step_of_a_request_is_published_for_other_services(client, runtime, two_companies):
    from sqlalchemy import select

    from trade_accounts import tables

    requester, other, acme, beta = two_companies
    request = (await link(client, requester, acme, beta)).json()
    await client.post(f"/trade-account-requests/{request['id']}/decision", json={"decision": "approved"}, headers=other.headers)
    async with runtime.database.transaction() as session:
        rows = (await session.execute(
            select(tables.outbox.c.topic, tables.outbox.c.event_type, tables.outbox.c.payload)
            .where(tables.outbox.c.key == request["id"]).order_by(tables.outbox.c.seq)
        )).all()
    assert [(r.topic, r.event_type) for r in rows] == [
        ("trade-accounts.request.v1", "TradeAccountRequestSubmitted.v1"),
        ("trade-accounts.request.v1", "TradeAccountRequestDecided.v1"),
    ]
    assert rows[0].payload["awaiting"] == ["company_administrator"]
    assert (rows[1].payload["status"], rows[1].payload["decision"]) == ("completed", "approved")
    assert rows[1].payload["version"] > rows[0].payload["version"]
