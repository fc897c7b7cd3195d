"""A published event schema may only gain optional fields; anything else is a new major version.

The baseline is what subscribers were given: one JSON Schema file per event
type in `libs/portal-events/published/`, checked in. `python -m
portal_events.schema_files write` refreshes it only when every change is
compatible; `... check` (in `make lint`) and a test (in `make test`) compare the
models with it. Refused, each with the event and the field named:

- a field removed;
- an optional field made required, or a new field that is required;
- a field whose schema changed in any other way (type, format, enum values,
  limits, nullability), at any depth;
- an event type that was published and is no longer in the catalogue.

Titles, descriptions, examples and defaults are documentation: they may change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PUBLISHED_DIR = Path(__file__).resolve().parents[2] / "published"
_DOCUMENTATION = frozenset({"title", "description", "examples", "default"})
_STRUCTURE = frozenset({"properties", "required", "$defs"})

Schema = Mapping[str, Any]


def next_major(event_type: str) -> str:
    name, _, version = event_type.rpartition(".v")
    return f"{name}.v{int(version) + 1}" if version.isdigit() else f"{event_type} under a new major version"


def _resolve(schema: Schema, root: Schema) -> Schema:
    seen = 0
    while "$ref" in schema and seen < 32:
        pointer = schema["$ref"]
        if not pointer.startswith("#/"):
            raise ValueError(f"only local $refs are supported, not {pointer}")
        target: Any = root
        for part in pointer[2:].split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        seen += 1
    return schema


def _normal(schema: Any, root: Schema) -> Any:
    """The schema with its $refs inlined and its documentation dropped: what a validator checks."""
    if isinstance(schema, Mapping):
        schema = _resolve(schema, root)
        return {k: _normal(v, root) for k, v in sorted(schema.items()) if k not in _DOCUMENTATION and k != "$defs"}
    if isinstance(schema, list):
        return [_normal(item, root) for item in schema]
    return schema


def _describe(schema: Any) -> str:
    if not isinstance(schema, Mapping):
        return json.dumps(schema)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return " | ".join(_describe(s) for s in schema[combinator])
    text = str(schema.get("type", "any"))
    if "format" in schema:
        text += f" ({schema['format']})"
    if "enum" in schema:
        text += f" one of {schema['enum']}"
    if "const" in schema:
        text += f" = {schema['const']!r}"
    return text


def _is_object(schema: Schema) -> bool:
    return schema.get("type") == "object" or "properties" in schema


def _compare(old: Schema, new: Schema, old_root: Schema, new_root: Schema, path: str, problems: list[str]) -> None:
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    where = f"field '{path}'" if path else "the payload"
    if _is_object(old) and _is_object(new):
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        for name in old_props:
            field = f"{path}.{name}" if path else name
            if name not in new_props:
                problems.append(f"field '{field}' was removed")
            else:
                _compare(old_props[name], new_props[name], old_root, new_root, field, problems)
        for name in sorted(new_required - old_required):
            field = f"{path}.{name}" if path else name
            if name in old_props:
                problems.append(f"field '{field}' was optional and is now required")
            else:
                problems.append(f"field '{field}' is new and required (a new field must be optional)")
        rest_old = {k: v for k, v in old.items() if k not in _STRUCTURE}
        rest_new = {k: v for k, v in new.items() if k not in _STRUCTURE}
        if _normal(rest_old, old_root) != _normal(rest_new, new_root):
            problems.append(f"{where} changed its object rules ({_normal(rest_old, old_root)} -> "
                            f"{_normal(rest_new, new_root)})")
        return
    if old.get("type") == "array" and new.get("type") == "array" and "items" in old and "items" in new:
        _compare(old["items"], new["items"], old_root, new_root, f"{path}[]", problems)
        rest_old = {k: v for k, v in old.items() if k != "items"}
        rest_new = {k: v for k, v in new.items() if k != "items"}
        if _normal(rest_old, old_root) != _normal(rest_new, new_root):
            problems.append(f"{where} changed its list rules")
        return
    for combinator in ("anyOf", "oneOf"):
        if combinator in old and combinator in new and len(old[combinator]) == len(new[combinator]):
            for index, (o, n) in enumerate(zip(old[combinator], new[combinator], strict=True)):
                _compare(o, n, old_root, new_root, path or f"({combinator} {index})", problems)
            rest_old = {k: v for k, v in old.items() if k != combinator}
            rest_new = {k: v for k, v in new.items() if k != combinator}
            if _normal(rest_old, old_root) != _normal(rest_new, new_root):
                problems.append(f"{where} changed its rules")
            return
    old_normal, new_normal = _normal(old, old_root), _normal(new, new_root)
    if old_normal != new_normal:
        problems.append(f"{where} changed its type from {_describe(old_normal)} to {_describe(new_normal)}")


def incompatibilities(event_type: str, published: Schema, current: Schema) -> list[str]:
    """What a subscriber of `published` would trip over in `current`: one sentence each, naming the way out."""
    problems: list[str] = []
    _compare(published, current, published, current, "", problems)
    advice = f"a published schema may only gain optional fields: publish this as {next_major(event_type)}"
    return [f"{event_type}: {problem}; {advice}" for problem in problems]


def read_published(directory: Path = PUBLISHED_DIR) -> dict[str, dict[str, Any]]:
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} (the published event schemas) is missing")
    return {path.name.removesuffix(".schema.json"): json.loads(path.read_text())
            for path in sorted(directory.glob("*.schema.json"))}


def check(current: Mapping[str, Schema], published: Mapping[str, Schema]) -> list[str]:
    """Every refusal, for every event type ever published; an empty list when all is compatible."""
    problems: list[str] = []
    for event_type, schema in published.items():
        if event_type not in current:
            problems.append(
                f"{event_type}: was published and is no longer in the catalogue; subscribers still read it "
                f"(retire it on purpose by deleting published/{event_type}.schema.json)"
            )
            continue
        problems += incompatibilities(event_type, schema, current[event_type])
    return problems
