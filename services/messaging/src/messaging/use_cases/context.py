"""What messaging's use cases need besides the session; built once at bootstrap."""

from __future__ import annotations

from dataclasses import dataclass

from servicekit.clock import Clock


@dataclass
class MessagingContext:
    clock: Clock
