"""What every aggregate does with its version and the events it records (pure: no framework)."""

from __future__ import annotations

from typing import Any


class RecordsEvents:
    """Mixin for dataclass aggregates that declare `version: int` and `events: list`.

    A change bumps the version and records the public event it causes; the use
    case pulls the events and hands them to the outbox in the same transaction.
    """

    version: int
    events: list[Any]

    def pull_events(self) -> list[Any]:
        events, self.events = self.events, []
        return events

    def _bump(self) -> None:
        self.version += 1
