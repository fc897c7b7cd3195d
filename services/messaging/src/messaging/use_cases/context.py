"""What messaging's use cases need besides the session; built once at bootstrap."""

from __future__ import annotations

from dataclasses import dataclass

from servicekit.clock import Clock


@dataclass
class MessagingContext:
    clock: Clock
    public_url: str = "http://127.0.0.1:8080"  # where notices' links point: the web client behind the gateway
