"""Partner monitoring through svi's API (SV-01..SV-10)."""

from __future__ import annotations

import random
import string

import pytest


async def _ask(client, me, *targets):
    return await client.post(f"/security-models/{me.model_id}/monitoring-requests", headers=me.officer.headers,
                             json={"monitoring_model_ids": [str(t.model_id) for t in targets]})


async def _decide(client, who, request_id, decision):
    return await client.post(f"/monitoring-requests/{request_id}/decision", json={"decision": decision},
                             headers=who.officer.headers)


async def _list(client, me, which, state=None):
    params = {"state": state} if state else {}
    response = await client.get(f"/security-models/{me.model_id}/{which}", params=params, headers=me.officer.headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.req("SV-01")
async def test_only_a_certified_model_with_the_svi_agreement_signed_takes_part(client, partners, fingerprint):
    monitor = await partners.partner()
    unsigned = await partners.partner(signed=False)
    applicant = await partners.partner(status="applicant")
    me = await partners.partner()
    before = await fingerprint()
    for outsider in (unsigned, applicant):
        response = await _ask(client, outsider, monitor)
        assert response.status_code == 409, response.text
    refused = await _ask(client, me, unsigned)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "monitoring_model_ids[0]"
    assert await fingerprint() == before


@pytest.mark.req("SV-04")
async def test_search_finds_only_participants_by_prefix_or_near_miss(client, partners):
    # Ten different letters: every trigram of the tag is distinct, so the typo's word similarity is the same
    # every run (0.63, over pg_trgm's 0.6). A hex tag such as "0f0f0f" repeats trigrams and fell to 0.58.
    tag = "".join(random.sample(string.ascii_lowercase, 10))
    me = await partners.partner()
    found = await partners.partner(f"Zephyr {tag} Freight Lines")
    await partners.partner(f"Zephyr {tag} Freight Unsigned", signed=False)
    await partners.partner(f"Zephyr {tag} Freight Applicant", status="applicant")
    suspended = await partners.partner(f"Zephyr {tag} Freight Suspended")
    await partners.set_status(suspended, "suspended")  # below Certified: out of search at once

    by_prefix = (await client.get(f"/security-models/{me.model_id}/partner-search", params={"q": f"zephyr {tag}"},
                                  headers=me.officer.headers)).json()
    typo = (await client.get(f"/security-models/{me.model_id}/partner-search",
                             params={"q": f"Zephir {tag} Frieght Lines"}, headers=me.officer.headers)).json()

    # The beginning typed finds it first; near misses may follow, but never a company that does not take part.
    assert by_prefix[0]["company_name"] == found.name
    assert not {r["company_name"] for r in by_prefix + typo} & {f"Zephyr {tag} Freight Unsigned",
                                                             f"Zephyr {tag} Freight Applicant",
                                                             f"Zephyr {tag} Freight Suspended"}
    assert typo and typo[0]["security_model_id"] == str(found.model_id)


@pytest.mark.req("SV-03")
@pytest.mark.req("SV-05")
async def test_the_partner_to_be_monitored_asks_several_in_one_save_each_pending(client, partners):
    me, first, second = await partners.partner(), await partners.partner(), await partners.partner()

    response = await _ask(client, me, first, second)

    assert response.status_code == 201, response.text
    assert {(r["monitoring_model_id"], r["state"]) for r in response.json()} == {
        (str(first.model_id), "pending"), (str(second.model_id), "pending")}
    rows = await _list(client, me, "partners-monitoring-you")
    assert {(r["company_name"], r["state"], r["certified"]) for r in rows} == {
        (first.name, "pending", None), (second.name, "pending", None)}
    # Only the monitored side asks: the monitoring partner has nothing to "request" here, it decides.
    theirs = await _list(client, first, "partners-you-monitor")
    assert [(r["company_name"], r["state"]) for r in theirs] == [(me.name, "pending")]


@pytest.mark.req("SV-07")
@pytest.mark.req("SV-08")
async def test_while_accepted_the_monitor_sees_the_current_status_and_revoking_hides_it(client, partners):
    me, monitor = await partners.partner(), await partners.partner()
    (request,) = (await _ask(client, me, monitor)).json()
    pending = await _list(client, monitor, "partners-you-monitor")
    assert pending[0]["certified"] is None  # no status before accepting

    assert (await _decide(client, monitor, request["id"], "accept")).status_code == 200
    assert (await _list(client, monitor, "partners-you-monitor"))[0]["certified"] is True
    await partners.set_status(me, "suspended")  # StatusChanged from ctpat
    assert (await _list(client, monitor, "partners-you-monitor"))[0]["certified"] is False
    await partners.set_status(me, "certified_validated")
    assert (await _list(client, monitor, "partners-you-monitor"))[0]["certified"] is True

    revoked = await _decide(client, monitor, request["id"], "revoke")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    row = (await _list(client, monitor, "partners-you-monitor"))[0]
    assert row["state"] == "revoked" and row["certified"] is None
    assert [h["state"] for h in revoked.json()["history"]] == ["pending", "accepted", "revoked"]


@pytest.mark.req("SV-09")
async def test_a_decline_blocks_further_requests_until_the_block_is_removed(client, partners, fingerprint):
    me, monitor = await partners.partner(), await partners.partner()
    (request,) = (await _ask(client, me, monitor)).json()
    assert (await _decide(client, monitor, request["id"], "decline")).status_code == 200
    before = await fingerprint()

    again = await _ask(client, me, monitor)

    assert again.status_code == 409 and "remove the block" in again.json()["errors"][0]["message"]
    assert await fingerprint() == before
    assert (await client.post(f"/monitoring-requests/{request['id']}/block-removal",
                              headers=me.officer.headers)).status_code == 403  # the requester cannot
    removed = await client.post(f"/monitoring-requests/{request['id']}/block-removal",
                                headers=monitor.officer.headers)
    assert removed.status_code == 200
    assert (await _ask(client, me, monitor)).status_code == 201


@pytest.mark.req("SV-06")
@pytest.mark.req("SV-10")
async def test_both_lists_show_each_state_and_filter_by_it(client, partners):
    me = await partners.partner()
    monitors = [await partners.partner() for _ in range(4)]
    requests = (await _ask(client, me, *monitors)).json()
    by_monitor = {r["monitoring_model_id"]: r["id"] for r in requests}
    accepted, declined, revoked, pending = monitors
    await _decide(client, accepted, by_monitor[str(accepted.model_id)], "accept")
    await _decide(client, declined, by_monitor[str(declined.model_id)], "decline")
    await _decide(client, revoked, by_monitor[str(revoked.model_id)], "accept")
    await _decide(client, revoked, by_monitor[str(revoked.model_id)], "revoke")

    rows = await _list(client, me, "partners-monitoring-you")
    assert {r["company_name"]: r["state"] for r in rows} == {
        accepted.name: "accepted", declined.name: "declined", revoked.name: "revoked", pending.name: "pending"}
    for state, partner in (("accepted", accepted), ("declined", declined), ("revoked", revoked)):
        assert [r["company_name"] for r in await _list(client, me, "partners-monitoring-you", state)] == [partner.name]
        assert [r["company_name"] for r in await _list(client, partner, "partners-you-monitor", state)] == [me.name]
    bad = await client.get(f"/security-models/{me.model_id}/partners-monitoring-you", params={"state": "lost"},
                           headers=me.officer.headers)
    assert bad.status_code == 422


@pytest.mark.req("SV-02")
async def test_revoking_the_svi_agreement_removes_the_company_from_every_list(client, partners):
    me, monitor, monitored = await partners.partner(), await partners.partner(), await partners.partner()
    (mine,) = (await _ask(client, me, monitor)).json()
    (theirs,) = (await _ask(client, monitored, me)).json()
    await _decide(client, monitor, mine["id"], "accept")
    await _decide(client, me, theirs["id"], "accept")

    await partners.revoke(me)  # AgreementRevoked from ctpat

    assert await _list(client, me, "partners-monitoring-you") == []
    assert await _list(client, me, "partners-you-monitor") == []
    assert await _list(client, monitor, "partners-you-monitor") == []
    assert await _list(client, monitored, "partners-monitoring-you") == []
    search = await client.get(f"/security-models/{monitor.model_id}/partner-search", params={"q": me.name},
                              headers=monitor.officer.headers)
    assert str(me.model_id) not in {r["security_model_id"] for r in search.json()}


@pytest.mark.req("SV-03")
async def test_only_the_models_contacts_act_and_strangers_see_nothing(client, partners, fingerprint):
    me, monitor, stranger = await partners.partner(), await partners.partner(), await partners.partner()
    before = await fingerprint()
    as_bystander = await client.post(f"/security-models/{me.model_id}/monitoring-requests",
                                     headers=me.bystander.headers,
                                     json={"monitoring_model_ids": [str(monitor.model_id)]})
    as_stranger = await client.post(f"/security-models/{me.model_id}/monitoring-requests",
                                    headers=stranger.officer.headers,
                                    json={"monitoring_model_ids": [str(monitor.model_id)]})
    assert as_bystander.status_code == 404 and as_stranger.status_code == 404
    assert await fingerprint() == before
    (request,) = (await _ask(client, me, monitor)).json()
    # The requester cannot decide its own request; the monitor's SCSS reads but does not decide.
    assert (await _decide(client, me, request["id"], "accept")).status_code == 403
    scss = await partners.assign_scss(monitor)
    assert (await client.get(f"/security-models/{monitor.model_id}/partners-you-monitor",
                             headers=scss.headers)).status_code == 200
    assert (await client.post(f"/monitoring-requests/{request['id']}/decision", json={"decision": "accept"},
                              headers=scss.headers)).status_code == 403
