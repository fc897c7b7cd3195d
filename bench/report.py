"""Every figure `make bench` finds is printed as it comes, one line each."""

from __future__ import annotations

LINES: list[str] = []


def report(line: str) -> None:
    print(line, flush=True)
    LINES.append(line)
