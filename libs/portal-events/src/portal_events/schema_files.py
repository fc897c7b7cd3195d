"""JSON Schema files and the AsyncAPI document, made from the catalogue.

`python -m portal_events.schema_files write` regenerates the committed files;
a test compares them with what the models produce, so a contract never changes
by accident. It also records each event's schema in `libs/portal-events/published/`
(what subscribers have been given), and refuses, writing nothing, when a model
changed a published schema in any way but gaining optional fields: that needs a
new major version (`...v2`). `... check` only runs that comparison (`make lint`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from portal_events import compatibility
from portal_events.catalogue import ALL_EVENTS

SCHEMA_DIR = Path(__file__).parent / "schemas"
ASYNCAPI_FILE = SCHEMA_DIR / "asyncapi.yaml"

_CE_HEADERS = {
    "type": "object",
    "description": "CloudEvents 1.0 attributes in Kafka binary mode, plus W3C trace context.",
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "Unique event id; consumers deduplicate by it."},
        "ce_type": {"type": "string", "description": "Versioned past-tense event name."},
        "ce_source": {"type": "string", "description": "The emitting service."},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "The aggregate id (also the record key)."},
        "content-type": {"type": "string", "const": "application/json"},
        "traceparent": {"type": "string", "description": "W3C trace context."},
    },
    "required": ["ce_id", "ce_type", "ce_source", "ce_subject", "content-type"],
}


def schema_file_name(event_type: str) -> str:
    return f"{event_type}.schema.json"


def json_schemas() -> dict[str, dict[str, Any]]:
    return {event.event_type: event.model_json_schema() for event in ALL_EVENTS}


def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event in ALL_EVENTS:
        name = event.event_type.replace(".", "_")
        messages[name] = {
            "name": event.event_type,
            "title": event.__name__,
            "summary": (event.__doc__ or "").strip(),
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
            "payload": {"$ref": f"./{schema_file_name(event.event_type)}"},
        }
        channel = channels.setdefault(
            event.topic.replace(".", "_"),
            {"address": event.topic, "messages": {}, "description": "Keyed by aggregate id."},
        )
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    for channel_id in channels:
        operations[f"receive_{channel_id}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel_id}"},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "C-TPAT Partner Portal public events",
            "version": "1.0.0",
            "description": (
                "Events the portal publishes for partner government agency programs and "
                "other subscribers. Delivery is at least once: deduplicate by ce_id, and "
                "ignore a payload whose `version` is not newer than the last one applied."
            ),
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": {"CloudEventHeaders": _CE_HEADERS}},
    }


def render_files() -> dict[Path, str]:
    files = {
        SCHEMA_DIR / schema_file_name(name): json.dumps(schema, indent=2, sort_keys=True) + "\n"
        for name, schema in json_schemas().items()
    }
    files[ASYNCAPI_FILE] = yaml.safe_dump(asyncapi_document(), sort_keys=False)
    return files


def incompatible_changes(published_dir: Path = compatibility.PUBLISHED_DIR) -> list[str]:
    """The models against what was published: every change a subscriber could trip over."""
    return compatibility.check(json_schemas(), compatibility.read_published(published_dir))


def write_files(published_dir: Path = compatibility.PUBLISHED_DIR) -> None:
    problems = incompatible_changes(published_dir)
    if problems:
        raise SystemExit("refused, nothing written:\n  " + "\n  ".join(problems))
    SCHEMA_DIR.mkdir(exist_ok=True)
    for path, text in render_files().items():
        path.write_text(text)
    for name, schema in json_schemas().items():
        (published_dir / schema_file_name(name)).write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["write"]:
        write_files()
    elif sys.argv[1:] == ["check"]:
        found = incompatible_changes()
        if found:
            sys.exit("published event schemas broken:\n  " + "\n  ".join(found))
    else:
        sys.exit("usage: python -m portal_events.schema_files write|check")
