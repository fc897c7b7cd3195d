"""The foundation's proof: sign up and change the email through the gateway; another process sees it once."""

from __future__ import annotations

import secrets
import time

import pytest


@pytest.mark.req("ID-09")
@pytest.mark.req("PL-02")
@pytest.mark.req("PL-05")
def test_an_email_change_reaches_a_subscriber_exactly_once_in_one_trace(
    portal, registered_user, user_topic_listener, new_email, password, trace_spans
):
    # The client starts a sampled trace, so it is recorded whatever the sampling ratio.
    trace_id = secrets.token_hex(16)
    headers = {"Authorization": f"Bearer {registered_user['tokens']['access_token']}"}
    me = portal.get("/api/identity/me", headers=headers)
    assert me.status_code == 200 and me.json()["email"] == registered_user["email"]

    changed_to = new_email()
    response = portal.post(
        "/api/identity/me/email", json={"current_password": password, "new_email": changed_to},
        headers={**headers, "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"},
    )
    assert response.status_code == 200, response.text

    records = user_topic_listener.wait_for(
        lambda r: r["headers"]["ce_type"] == "UserEmailChanged.v1" and r["key"] == registered_user["id"]
    )
    assert len(records) == 1, records
    [record] = records
    assert record["payload"]["new_email"] == changed_to
    assert record["payload"]["old_email"] == registered_user["email"]
    assert record["headers"]["ce_source"] == "identity"
    assert record["headers"]["content-type"] == "application/json"

    # One trace from the gateway through identity and Kafka to the subscriber.
    assert record["headers"]["traceparent"].split("-")[1] == trace_id
    deadline = time.monotonic() + 15
    services: set[str] = set()
    while time.monotonic() < deadline:
        spans = trace_spans(trace_id)
        services = {s["service"] for s in spans}
        if {"gateway", "identity", "identity-worker", "event-listener"} <= services:
            break
        time.sleep(0.2)
    assert {"gateway", "identity", "identity-worker", "event-listener"} <= services, services
    kinds = {(s["service"], s["kind"]) for s in spans}
    assert ("identity-worker", "PRODUCER") in kinds and ("event-listener", "CONSUMER") in kinds
