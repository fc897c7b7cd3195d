"""One way to put load on a URL: wrk (C, light on a 2-core machine), one thread, its own latency histogram."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Load:
    rps: float
    p50: float  # milliseconds
    p95: float
    p99: float
    non2xx: int  # and socket errors
    requests: int = 0


def wrk(
    url: str, *, seconds: int = 4, connections: int = 1, headers: dict[str, str] | None = None,
    method: str = "GET", body: str | None = None, paths: Sequence[str] = (),
    path_headers: Sequence[dict[str, str]] = (),
) -> Load:
    """Loads `url` for `seconds` over `connections` keep-alive connections; loopback only, bounded in time.
    With `paths`, requests go to each path of `url`'s host in turn (e.g. one criterion after another);
    `path_headers`, when given, are the headers of each path's request (e.g. a different user's cookie each)."""
    lines = [f"wrk.method = {json.dumps(method)}"]
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    for name, value in (headers or {}).items():
        lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    if paths:
        lines.append("paths = {" + ", ".join(json.dumps(p) for p in paths) + "}")
        if path_headers:
            assert len(path_headers) == len(paths), "one set of headers per path"
            lines.append("heads = {" + ", ".join(
                "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in h.items()) + "}"
                for h in path_headers) + "}")
        lines += ["counter = 0", "request = function()", "  counter = counter % #paths + 1",
                  "  return wrk.format(nil, paths[counter]" + (", heads[counter]" if path_headers else "") + ")",
                  "end"]
    lines += [
        "done = function(summary, latency, requests)",
        '  io.write(string.format("P50 %f\\nP95 %f\\nP99 %f\\n", latency:percentile(50) / 1000,'
        " latency:percentile(95) / 1000, latency:percentile(99) / 1000))",
        "end",
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script.name, url],
            capture_output=True, text=True, timeout=seconds + 30, check=True,
        ).stdout
    finally:
        os.unlink(script.name)

    def number(pattern: str) -> float:
        match = re.search(pattern, out)
        return float(match.group(1)) if match else 0.0

    errors = number(r"Non-2xx or 3xx responses: (\d+)")
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(number(r"Requests/sec:\s+([\d.]+)"), number(r"P50 ([\d.]+)"), number(r"P95 ([\d.]+)"),
                number(r"P99 ([\d.]+)"), int(errors), int(number(r"(\d+) requests in")))


def median(loads: Sequence[Load]) -> Load:
    """Each figure's median over interleaved rounds (this machine's speed drifts second to second)."""
    return Load(*(statistics.median(getattr(x, f) for x in loads) for f in ("rps", "p50", "p95", "p99")),
                sum(x.non2xx for x in loads), sum(x.requests for x in loads))


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"
