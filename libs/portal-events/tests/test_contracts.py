"""The committed JSON Schema files and AsyncAPI document match the models (PL-03)."""

from __future__ import annotations

import json

import pytest
import yaml

from portal_events.catalogue import ALL_EVENTS, BY_TYPE, TOPICS
from portal_events.schema_files import ASYNCAPI_FILE, render_files


@pytest.mark.req("PL-03")
def test_committed_schema_files_match_the_models():
    """A contract changes only on purpose: run `make schemas` and commit, or add a new major version."""
    for path, text in render_files().items():
        assert path.exists(), f"{path.name} is not committed; run `make schemas`"
        assert path.read_text() == text, f"{path.name} differs from the model; run `make schemas`"


@pytest.mark.req("PL-03")
def test_every_event_is_versioned_past_tense_and_documented_for_subscribers():
    document = yaml.safe_load(ASYNCAPI_FILE.read_text())
    names = {m["name"] for m in document["components"]["messages"].values()}
    for event in ALL_EVENTS:
        name, _, version = event.event_type.partition(".")
        assert version.startswith("v") and version[1:].isdigit()
        assert name.endswith(("ed", "Split")), f"{name} is not past tense"
        assert event.event_type in names
        assert "version" in event.model_json_schema()["required"]
    assert {c["address"] for c in document["channels"].values()} == set(TOPICS)
    assert len(BY_TYPE) == len(ALL_EVENTS)


def test_schemas_are_valid_json():
    for path, text in render_files().items():
        if path.suffix == ".json":
            assert json.loads(text)["type"] == "object"
