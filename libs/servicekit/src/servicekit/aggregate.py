"""What every aggregate does with its version and the events it records (pure: no framework)."""

from __future__ import annotations

from typing import Any


class RecordsEvents:
    """Mixin for dataclass aggregates that declare `version: int` and `events: list`.

    A change bumps the version and records the public event it causes. Nobody
    hands those events on by hand: the aggregate's repository (a
    `servicekit.store.AggregateRepository`) moves them into the outbox when it
    saves the aggregate, after checking the version the aggregate was loaded at.
    """

    version: int
    events: list[Any]

    @property
    def persisted_version(self) -> int | None:
        """The version in the database when this object was loaded or last saved; None for a new one."""
        return self.__dict__.get("_persisted_version")

    def mark_persisted(self) -> None:
        """Called by the repository only, after a load or a save."""
        self.__dict__["_persisted_version"] = self.version

    def pull_events(self) -> list[Any]:
        events, self.events = self.events, []
        return events

    def _bump(self) -> None:
        self.version += 1
