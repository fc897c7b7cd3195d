"""Per-request cost, measured against the floor (issue 6, section 10).

identity's `GET /me` and trade-accounts' `GET /trade-accounts/{id}`, each
straight to the service and to `bench.floor` (the same token check,
transaction and statements on raw ASGI and asyncpg, one uvicorn process like
the service), in interleaved rounds at 1 and 16 connections. The service's
throughput is reported as a ratio of the floor's. Goal: >= 0.5x.

Beside it, each side's CPU time per request (from /proc, summed over the
processes listening on its port): on a 2-core machine shared with the load
generator, PostgreSQL and other work, it moves far less than throughput does,
and the floor's CPU per request over the service's is the ratio the
throughput would show on a core of its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from bench.cpu import cpu_seconds, listening_pids
from bench.load import Load, median, verdict, wrk
from bench.portal import IDENTITY, TRADE_ACCOUNTS, access_token, bearer
from bench.report import report

ROUNDS = 3
SECONDS = 4
GOAL = 0.5
_REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_floor():
    """`bench.floor` in its own uvicorn process (uvloop, httptools), as `servicekit.cli serve` runs a service."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    logs = Path(os.environ.get("PORTAL_LOCAL_DIR", "/tmp")) / "log"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "bench-floor.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.floor:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(port), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
             "--log-level", "warning"],
            cwd=_REPO, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise SystemExit(f"bench: the floor exited (code {process.returncode}); see {logs}/bench-floor.log")
            try:
                with urllib.request.urlopen(url + "/health/live", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("bench: the floor did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class Side:
    """One server under measurement: its rounds, and the CPU its processes spent on them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pids = listening_pids(urlsplit(url).port or 80)
        self.runs: list[Load] = []
        self.cpu = 0.0

    def measure(self, connections: int, headers: dict[str, str]) -> None:
        before = cpu_seconds(self.pids)
        self.runs.append(wrk(self.url, seconds=SECONDS, connections=connections, headers=headers))
        self.cpu += cpu_seconds(self.pids) - before

    @property
    def cpu_per_request_us(self) -> float | None:
        requests = sum(r.requests for r in self.runs)
        return self.cpu / requests * 1e6 if self.pids and requests else None


def side_by_side(service_url: str, floor_url: str, headers: dict[str, str], connections: int) -> tuple[Side, Side]:
    # Warm both (connection pools, statement caches, JWKS) outside the measurement.
    wrk(service_url, seconds=1, connections=connections, headers=headers)
    wrk(floor_url, seconds=1, connections=connections, headers=headers)
    service, floor = Side(service_url), Side(floor_url)
    for n in range(ROUNDS):
        for side in (service, floor) if n % 2 == 0 else (floor, service):  # alternate who goes first
            side.measure(connections, headers)
    return service, floor


def _cpu(service: Side, floor: Side) -> str:
    s, f = service.cpu_per_request_us, floor.cpu_per_request_us
    if s is None or f is None:
        return ""
    return f" | CPU/request service {s:.0f} us, floor {f:.0f} us ({f / s:.2f}x)"


async def per_request_cost(email: str, account_id: uuid.UUID) -> None:
    cases = [
        ("identity GET /me", f"{IDENTITY}/me", "/me"),
        ("trade-accounts GET /trade-accounts/{id}", f"{TRADE_ACCOUNTS}/trade-accounts/{account_id}",
         f"/trade-accounts/{account_id}"),
    ]
    with running_floor() as floor:
        for name, service_url, floor_path in cases:
            for connections in (1, 16):
                headers = bearer(await access_token(email))  # tokens live minutes: one per measurement
                service, floor_side = side_by_side(service_url, floor + floor_path, headers, connections)
                s, f = median(service.runs), median(floor_side.runs)
                ratio = s.rps / f.rps
                bad = s.non2xx + f.non2xx
                report(
                    f"floor    {name:40} c={connections:<2} service {s.rps:.0f} req/s p50 {s.p50:.2f} ms "
                    f"p99 {s.p99:.2f} ms | floor {f.rps:.0f} req/s p50 {f.p50:.2f} ms p99 {f.p99:.2f} ms "
                    f"| {ratio:.2f}x the floor ({verdict(ratio >= GOAL)} >= {GOAL}x), medians of {ROUNDS} rounds"
                    + _cpu(service, floor_side) + (f" | {bad} non-2xx" if bad else "")
                )
