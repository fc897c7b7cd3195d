"""The CloudEvents 1.0 envelope in Kafka binary mode.

Binary mode keeps the payload a plain JSON document (what outside subscribers
read) and puts the event's attributes into Kafka headers: `ce_id`, `ce_type`,
`ce_source`, `ce_time`, `ce_subject`, `content-type`, plus W3C `traceparent`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class Envelope:
    """One event as it travels: attributes and a JSON payload."""

    type: str
    source: str
    subject: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    traceparent: str | None = None

    @property
    def aggregate_version(self) -> int | None:
        version = self.data.get("version")
        return version if isinstance(version, int) else None

    def kafka_headers(self, *, include_traceparent: bool = True) -> list[tuple[str, bytes]]:
        headers = [
            ("ce_specversion", SPEC_VERSION.encode()),
            ("ce_id", self.id.encode()),
            ("ce_type", self.type.encode()),
            ("ce_source", self.source.encode()),
            ("ce_time", self.time.isoformat().encode()),
            ("ce_subject", self.subject.encode()),
            ("content-type", CONTENT_TYPE.encode()),
        ]
        if include_traceparent and self.traceparent:
            headers.append(("traceparent", self.traceparent.encode()))
        return headers

    def kafka_value(self) -> bytes:
        return json.dumps(self.data, separators=(",", ":"), default=str).encode()

    @classmethod
    def from_kafka(cls, headers: list[tuple[str, bytes]] | tuple, value: bytes) -> Envelope:
        """Rebuilds an envelope from a record; raises ValueError when it is not a CloudEvent."""
        attrs = {k: v.decode() for k, v in headers or ()}
        missing = [h for h in ("ce_id", "ce_type", "ce_source", "ce_subject") if h not in attrs]
        if missing:
            raise ValueError(f"not a CloudEvent: missing headers {', '.join(missing)}")
        try:
            data = json.loads(value)
        except (TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"payload is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ValueError("payload is not a JSON object")
        time = attrs.get("ce_time")
        return cls(
            id=attrs["ce_id"],
            type=attrs["ce_type"],
            source=attrs["ce_source"],
            subject=attrs["ce_subject"],
            time=datetime.fromisoformat(time) if time else datetime.now(UTC),
            data=data,
            traceparent=attrs.get("traceparent"),
        )
