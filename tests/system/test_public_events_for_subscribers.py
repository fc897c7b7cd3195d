"""PL-03: an outside program reads a public topic and every record keeps the published contract.

The subscriber is a process of its own (tests/system/event_listener.py, a plain
aiokafka consumer in its own group), as a partner agency's program would be.
What it receives is checked only against what the portal publishes for such
programs: the JSON Schema files and the AsyncAPI document in
libs/portal-events/src/portal_events/schemas/, read as files (no portal code is
imported), and the CloudEvents 1.0 binary-mode headers.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker

PUBLISHED = Path(__file__).resolve().parents[2] / "libs" / "portal-events" / "src" / "portal_events" / "schemas"
TOPIC = "identity.user.v1"
PROFILE = {"salutation": "Ms.", "first_name": "Ana", "last_name": "Lopez", "title": "Compliance Officer",
           "phone": "+1 202 555 0100"}


def published_validator(event_type: str) -> Draft202012Validator:
    path = PUBLISHED / f"{event_type}.schema.json"
    assert path.exists(), f"{event_type} reached subscribers but has no published schema"
    schema = json.loads(path.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def published_asyncapi() -> dict:
    return yaml.safe_load((PUBLISHED / "asyncapi.yaml").read_text())


def documented_types(document: dict, topic: str) -> set[str]:
    [channel] = [c for c in document["channels"].values() if c["address"] == topic]
    names = set()
    for ref in channel["messages"].values():
        message = ref["$ref"].rsplit("/", 1)[-1]
        names.add(document["components"]["messages"][message]["name"])
    return names


def errors_of(validator: Draft202012Validator, instance: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(record)'}: {e.message}" for e in validator.iter_errors(instance)]


@pytest.mark.system
@pytest.mark.req("PL-03")
def test_an_outside_subscriber_gets_records_that_match_the_published_schemas(
    portal, user_topic_listener, registered_user, new_email, password
):
    # (the listener is ready before the user registers, so it sees UserRegistered too)
    auth = {"Authorization": f"Bearer {registered_user['tokens']['access_token']}"}
    assert portal.put("/api/identity/me/profile", json=PROFILE, headers=auth).status_code == 200
    changed_to = new_email()
    changed = portal.post("/api/identity/me/email", json={"current_password": password, "new_email": changed_to},
                          headers=auth)
    assert changed.status_code == 200, changed.text

    user_id = registered_user["id"]
    records = user_topic_listener.wait_for(
        lambda r: r["key"] == user_id and r["headers"].get("ce_type") == "UserEmailChanged.v1", settle=1.0)
    records = [r for r in user_topic_listener.records() if r["key"] == user_id]
    assert [r["headers"]["ce_type"] for r in records] == [
        "UserRegistered.v1", "UserProfileUpdated.v1", "UserEmailChanged.v1"]

    document = published_asyncapi()
    header_schema = Draft202012Validator(document["components"]["schemas"]["CloudEventHeaders"],
                                         format_checker=FormatChecker())
    on_this_topic = documented_types(document, TOPIC)
    problems: list[str] = []
    for record in records:
        headers, payload, event_type = record["headers"], record["payload"], record["headers"]["ce_type"]
        problems += [f"{event_type} headers {e}" for e in errors_of(header_schema, headers)]
        problems += [f"{event_type} payload {e}" for e in errors_of(published_validator(event_type), payload)]
        if event_type not in on_this_topic:
            problems.append(f"{event_type} is not documented on {TOPIC}")
        # CloudEvents 1.0, binary mode: the attributes a subscriber relies on
        if headers.get("ce_specversion") != "1.0":
            problems.append(f"{event_type}: ce_specversion is {headers.get('ce_specversion')!r}")
        if headers.get("ce_source") != "identity":
            problems.append(f"{event_type}: ce_source is {headers.get('ce_source')!r}")
        if headers.get("ce_subject") != record["key"] or payload.get("user_id") != record["key"]:
            problems.append(f"{event_type}: subject, key and user_id differ")
        uuid.UUID(headers["ce_id"])
        assert datetime.fromisoformat(headers["ce_time"]).tzinfo is not None, headers["ce_time"]
    assert problems == []
    assert len({r["headers"]["ce_id"] for r in records}) == 3  # a subscriber deduplicates by ce_id
    assert [r["payload"]["version"] for r in records] == [1, 2, 3]  # and orders by version
    assert records[-1]["payload"]["new_email"] == changed_to


def test_the_published_schemas_refuse_what_breaks_the_contract():
    """The check above can fail: a record missing a required field, or carrying an unknown one, is refused."""
    validator = published_validator("UserEmailChanged.v1")
    good = {"version": 2, "user_id": str(uuid.uuid4()), "occurred_at": "2026-11-29T10:00:00+00:00",
            "old_email": "a@example.com", "new_email": "b@example.com"}
    assert errors_of(validator, good) == []
    assert errors_of(validator, {k: v for k, v in good.items() if k != "new_email"})
    assert errors_of(validator, {**good, "internal_column": 1})
    assert errors_of(validator, {**good, "version": "2"})
