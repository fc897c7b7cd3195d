"""A published event schema may only gain optional fields; anything else needs a new major version (PL-03)."""

from __future__ import annotations

import copy
import json

import pytest

from portal_events import schema_files
from portal_events.compatibility import check, incompatibilities, read_published

PUBLISHED = {
    "$defs": {
        "Contact": {
            "type": "object", "title": "Contact", "additionalProperties": False,
            "properties": {"member_id": {"type": "string", "format": "uuid"},
                           "role": {"type": "string", "enum": ["officer", "employee"]}},
            "required": ["member_id"],
        }
    },
    "type": "object", "title": "WidgetRenamed", "additionalProperties": False,
    "properties": {
        "version": {"type": "integer", "minimum": 1},
        "widget_id": {"type": "string", "format": "uuid"},
        "name": {"type": "string", "title": "Name"},
        "nickname": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "contacts": {"type": "array", "items": {"$ref": "#/$defs/Contact"}},
    },
    "required": ["version", "widget_id", "name"],
}


def changed(edit) -> dict:
    schema = copy.deepcopy(PUBLISHED)
    edit(schema)
    return schema


def refusals(schema: dict) -> list[str]:
    return incompatibilities("WidgetRenamed.v1", PUBLISHED, schema)


def test_the_same_schema_and_new_documentation_pass():
    assert refusals(copy.deepcopy(PUBLISHED)) == []
    assert refusals(changed(lambda s: s["properties"]["name"].update(title="Display name", description="Shown."))) == []


def test_a_new_optional_field_passes_at_the_top_and_inside():
    assert refusals(changed(lambda s: s["properties"].update(colour={"type": "string"}))) == []
    assert refusals(changed(lambda s: s["$defs"]["Contact"]["properties"].update(phone={"type": "string"}))) == []


@pytest.mark.parametrize(("case", "edit", "says"), [
    ("a removed field", lambda s: s["properties"].pop("name"), "field 'name' was removed"),
    ("an optional field made required", lambda s: s["required"].append("nickname"),
     "field 'nickname' was optional and is now required"),
    ("a new required field",
     lambda s: (s["properties"].update(colour={"type": "string"}), s["required"].append("colour")),
     "field 'colour' is new and required"),
    ("a changed type", lambda s: s["properties"]["name"].update(type="integer"),
     "field 'name' changed its type from string to integer"),
    ("a changed format", lambda s: s["properties"]["widget_id"].update(format="email"), "field 'widget_id' changed"),
    ("a nullable field made non-null", lambda s: s["properties"].update(nickname={"type": "string"}),
     "field 'nickname' changed its type"),
    ("a field removed inside a $ref", lambda s: s["$defs"]["Contact"]["properties"].pop("role"),
     "field 'contacts[].role' was removed"),
    ("a new enum value inside a $ref", lambda s: s["$defs"]["Contact"]["properties"]["role"]["enum"].append("consultant"),
     "field 'contacts[].role' changed its type"),
    ("a new required field inside a $ref",
     lambda s: (s["$defs"]["Contact"]["properties"].update(tier={"type": "integer"}),
                s["$defs"]["Contact"]["required"].append("tier")),
     "field 'contacts[].tier' is new and required"),
])
def test_every_other_change_is_refused_naming_the_field_and_the_new_major_version(case, edit, says):
    found = refusals(changed(edit))
    assert len(found) == 1, (case, found)
    assert says in found[0], (case, found)
    assert found[0].startswith("WidgetRenamed.v1: ")
    assert "publish this as WidgetRenamed.v2" in found[0]


def test_a_published_event_type_that_disappears_is_refused_and_a_new_one_passes():
    assert check({"WidgetRenamed.v1": PUBLISHED, "WidgetPainted.v1": {"type": "object"}},
                 {"WidgetRenamed.v1": PUBLISHED}) == []
    [gone] = check({"WidgetRenamed.v2": PUBLISHED}, {"WidgetRenamed.v1": PUBLISHED})
    assert gone.startswith("WidgetRenamed.v1: was published and is no longer in the catalogue")


def test_write_refuses_an_incompatible_model_and_writes_nothing(tmp_path, monkeypatch):
    published = tmp_path / "published"
    published.mkdir()
    real = schema_files.json_schemas()
    event_type = "UserEmailChanged.v1"
    narrower = copy.deepcopy(real[event_type])
    narrower["properties"].pop("new_email")  # what was published lacked nothing; the model now lacks new_email
    (published / f"{event_type}.schema.json").write_text(json.dumps(real[event_type]))
    monkeypatch.setattr(schema_files, "json_schemas", lambda: {**real, event_type: narrower})
    monkeypatch.setattr(schema_files, "SCHEMA_DIR", tmp_path / "schemas")
    with pytest.raises(SystemExit, match="UserEmailChanged.v2"):
        schema_files.write_files(published)
    assert not (tmp_path / "schemas").exists()
    assert json.loads((published / f"{event_type}.schema.json").read_text()) == real[event_type]


@pytest.mark.req("PL-03")
def test_the_event_models_keep_every_published_contract():
    """The real check (also in `make lint`): the catalogue against libs/portal-events/published/."""
    published = read_published()
    assert set(published) >= {"UserRegistered.v1", "UserEmailChanged.v1", "TradeAccountCreated.v1"}
    assert schema_files.incompatible_changes() == []
