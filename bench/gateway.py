"""What the gateway costs: latency and throughput through it vs straight to an upstream, side by side.

    python -m bench.gateway --direct http://127.0.0.1:8101/health/live \\
        --via http://127.0.0.1:8080/api/identity/health/live --requests 5000 --concurrency 32

    python -m bench.gateway --spawn          # starts its own upstream and gateway

The measurement that chose the gateway's own HTTP client (gateway/README.md,
"The data plane, chosen by measurement"; gateway/src/gateway/upstream_pool.py);
it lives outside the gateway package so that no benchmark ships with a service.

Each round measures direct, then via, with the same load; several rounds
alternate so that a noisy moment hurts both sides alike, and the medians are
compared with the budget of issue §5: the gateway adds at most 1 ms at p50 and
keeps at least 0.6x of direct throughput. `--check` exits 1 when it does not.

Load comes from `wrk` when it is installed (C, light on a 2-core machine
where the load generator shares the cores with both servers), else from a
built-in asyncio client (heavier: it understates throughput on both sides).
Only loopback addresses are accepted; every run is bounded in requests and in
time.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

_REPO = Path(__file__).resolve().parent.parent  # uvicorn imports bench.gateway from here
MAX_REQUESTS = 1_000_000
MAX_SECONDS = 300.0
P50_BUDGET_MS = 1.0
THROUGHPUT_BUDGET = 0.6


@dataclass(frozen=True)
class Measurement:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- targets -----------------------------------------------------------------------


def _require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        raise SystemExit(f"bench: cannot resolve {host!r}") from None
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise SystemExit(f"bench: {url} is not a loopback address; the bench only runs locally")


# --- the built-in load generator ---------------------------------------------------------


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        import httptools

        self.parser = httptools.HttpResponseParser(self)
        self.done: asyncio.Future | None = None
        self.status = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def connection_lost(self, exc) -> None:
        if self.done is not None and not self.done.done():
            self.done.set_exception(ConnectionError("closed"))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()

    def on_message_complete(self) -> None:
        if self.done is not None and not self.done.done():
            self.done.set_result(self.status)


async def _python_load(
    url: str, *, requests: int, concurrency: int, seconds: float, headers: dict[str, str]
) -> Measurement:
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or 80
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"GET {target} HTTP/1.1\r\nhost: {parts.netloc}\r\n{extra}\r\n".encode()
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    errors = 0
    left = requests
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal left, errors
        _, conn = await loop.create_connection(_Connection, host, port)
        try:
            while left > 0 and time.perf_counter() < deadline:
                left -= 1
                conn.done = loop.create_future()
                started = time.perf_counter()
                conn.transport.write(request)
                try:
                    status = await conn.done
                except ConnectionError:
                    errors += 1
                    _, conn = await loop.create_connection(_Connection, host, port)
                    continue
                latencies.append(time.perf_counter() - started)
                if status >= 400:
                    errors += 1
        finally:
            conn.transport.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return Measurement(len(latencies), errors, elapsed, pct(0.50), pct(0.90), pct(0.99))


def _python_measure(url: str, **load) -> Measurement:
    try:
        import uvloop

        return uvloop.run(_python_load(url, **load))
    except ImportError:
        return asyncio.run(_python_load(url, **load))


# --- wrk ------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_ms(text: str, label: str) -> float:
    match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")


def _wrk_measure(
    url: str, *, requests: int, concurrency: int, seconds: float, headers: dict[str, str]
) -> Measurement:
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s)", out)
    count = int(total.group(1))
    elapsed = float(total.group(2)) * _UNITS[total.group(3)] / 1000
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: .*?(\d+) timeout"):
        match = re.search(pattern, out)
        errors += int(match.group(1)) if match else 0
    return Measurement(
        count, errors, elapsed, _wrk_ms(out, "50"), _wrk_ms(out, "90"), _wrk_ms(out, "99")
    )


# --- comparison --------------------------------------------------------------------------------


def compare(
    direct: str,
    via: str,
    *,
    requests: int,
    concurrency: int,
    seconds: float,
    rounds: int,
    tool: str,
    headers: dict[str, str],
    out=sys.stdout,
) -> dict:
    """Measures both URLs `rounds` times, alternating; returns (and prints) the medians."""
    for url in (direct, via):
        _require_loopback(url)
    requests = min(requests, MAX_REQUESTS)
    seconds = min(seconds, MAX_SECONDS)
    measure = _wrk_measure if tool == "wrk" else _python_measure
    load = {"concurrency": concurrency, "headers": headers}
    # Warm both paths (connection pools, JWKS, caches) outside the measurement.
    for url in (direct, via):
        measure(url, requests=min(requests, 2000), seconds=1, **load)

    results: dict[str, list[Measurement]] = {"direct": [], "via gateway": []}
    for _ in range(rounds):
        for name, url in (("direct", direct), ("via gateway", via)):
            results[name].append(measure(url, requests=requests, seconds=seconds, **load))

    each = f"{round(seconds)} s" if tool == "wrk" else f"{requests} requests"
    print(f"load: {tool}, {concurrency} connections, {rounds} rounds ({each} each)", file=out)
    print(f"{'':12} {'requests':>9} {'errors':>7} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} "
          f"{'p99 ms':>8}", file=out)
    summary = {}
    for name, runs in results.items():
        for m in runs:
            print(f"{name:12} {m.requests:9d} {m.errors:7d} {m.per_second:9.0f} {m.p50_ms:8.3f} "
                  f"{m.p90_ms:8.3f} {m.p99_ms:8.3f}", file=out)
        summary[name] = {
            "per_second": statistics.median(m.per_second for m in runs),
            "p50_ms": statistics.median(m.p50_ms for m in runs),
            "p99_ms": statistics.median(m.p99_ms for m in runs),
            "errors": sum(m.errors for m in runs),
        }
    added = summary["via gateway"]["p50_ms"] - summary["direct"]["p50_ms"]
    ratio = summary["via gateway"]["per_second"] / summary["direct"]["per_second"]
    ok = added <= P50_BUDGET_MS and ratio >= THROUGHPUT_BUDGET
    summary.update(added_p50_ms=added, throughput_ratio=ratio, within_budget=ok)
    print(f"median: direct {summary['direct']['per_second']:.0f} req/s p50 "
          f"{summary['direct']['p50_ms']:.3f} ms | via {summary['via gateway']['per_second']:.0f}"
          f" req/s p50 {summary['via gateway']['p50_ms']:.3f} ms", file=out)
    print(f"gateway adds {added:.3f} ms at p50 (budget {P50_BUDGET_MS} ms); keeps {ratio:.2f}x of "
          f"direct throughput (budget {THROUGHPUT_BUDGET}x): "
          f"{'within budget' if ok else 'OVER BUDGET'}", file=out)
    if concurrency < 8:
        print("note: with this few connections each one waits for its answer, so throughput is "
              "1/latency and an extra hop halves it; judge throughput at >= 8 connections.",
              file=out)
    return summary


# --- --spawn: an upstream and a gateway of the bench's own ----------------------------------------


def bench_upstream():
    """A service's outside, as `servicekit` builds it (request ids, problems, health), no database."""
    from fastapi import FastAPI

    from servicekit.app import RequestIdMiddleware
    from servicekit.health import health_router
    from servicekit.problems import install_problem_handlers

    app = FastAPI(title="bench upstream")
    install_problem_handlers(app)
    app.include_router(health_router())
    jwks = os.environ.get("GATEWAY_BENCH_JWKS")
    if jwks:
        document = json.loads(jwks)

        @app.get("/.well-known/jwks.json")
        async def keys() -> dict:
            return document

    app.add_middleware(RequestIdMiddleware)
    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: a server exited early (code {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"bench: {url} did not become ready")


def _signing_material() -> tuple[str, str]:
    """A throwaway Ed25519 key: its JWKS for the upstream, and a bearer token signed with it."""
    import uuid

    import jwt
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from jwt.algorithms import OKPAlgorithm

    from servicekit.settings import ServiceSettings

    shared = ServiceSettings()
    key = Ed25519PrivateKey.generate()
    jwk = {**OKPAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": "bench", "alg": "EdDSA"}
    now = int(time.time())
    token = jwt.encode(
        {"iss": shared.jwt_issuer, "aud": shared.jwt_audience, "sub": str(uuid.uuid4()),
         "email": "bench@example.com", "roles": [], "jti": uuid.uuid4().hex, "iat": now,
         "exp": now + 3600, "typ": "access"},
        key, algorithm="EdDSA", headers={"kid": "bench"},
    )
    return json.dumps({"keys": [jwk]}), token


def spawn_and_compare(args: argparse.Namespace, headers: dict[str, str]) -> dict:
    upstream_port, gateway_port = _free_port(), _free_port()
    upstream_url = f"http://127.0.0.1:{upstream_port}"
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    env = {k: v for k, v in os.environ.items()
           if k not in ("OTEL_EXPORTER_OTLP_ENDPOINT", "PORTAL_TRACES_DIR")}
    if args.with_token:
        jwks, token = _signing_material()
        env["GATEWAY_BENCH_JWKS"] = jwks
        headers = {**headers, "authorization": f"Bearer {token}"}
    env.update({
        "GATEWAY_UPSTREAMS": json.dumps({"bench": upstream_url}),
        "GATEWAY_RATE_LIMIT_PER_SECOND": "1000000000",
        "GATEWAY_RATE_LIMIT_BURST": "1000000000",
        "PORTAL_JWKS_URL": f"{upstream_url}/.well-known/jwks.json",
        "PORTAL_LOG_LEVEL": "WARNING",
    })
    logs = Path(os.environ.get("PORTAL_LOCAL_DIR", "/tmp")) / "log"
    logs.mkdir(parents=True, exist_ok=True)
    processes: list[subprocess.Popen] = []
    try:
        with open(logs / "bench-upstream.log", "ab") as up_log, \
                open(logs / "bench-gateway.log", "ab") as gw_log:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "bench.gateway:bench_upstream", "--factory",
                 "--host", "127.0.0.1", "--port", str(upstream_port), "--loop", "uvloop",
                 "--http", "httptools", "--no-access-log", "--log-level", "warning"],
                env=env, stdout=up_log, stderr=subprocess.STDOUT, cwd=_REPO,
            ))
            _wait_ready(upstream_url + "/health/live", processes[0])
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "gateway", "serve", "--host", "127.0.0.1",
                 "--port", str(gateway_port)],
                env=env, stdout=gw_log, stderr=subprocess.STDOUT,
            ))
            _wait_ready(gateway_url + "/health/live", processes[1])
            return compare(
                upstream_url + "/health/live", gateway_url + "/api/bench/health/live",
                requests=args.requests, concurrency=args.concurrency, seconds=args.seconds,
                rounds=args.rounds, tool=args.tool, headers=headers,
            )
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gateway", description=__doc__.split("\n")[0])
    parser.add_argument("--direct", help="an upstream URL, called directly")
    parser.add_argument("--via", help="the same resource through the gateway")
    parser.add_argument("--spawn", action="store_true",
                        help="start an upstream and a gateway on free loopback ports and use them")
    parser.add_argument("--with-token", action="store_true",
                        help="with --spawn: send a signed bearer token, so the gateway verifies it")
    parser.add_argument("--requests", type=int, default=5000,
                        help="requests per measurement (built-in client)")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="length of a measurement with wrk; time limit for the built-in client")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("-H", "--header", action="append", default=[],
                        help="'Name: value', sent on every request")
    parser.add_argument("--json", action="store_true", help="also print the summary as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when over budget")
    args = parser.parse_args(argv)
    if args.tool == "auto":
        args.tool = "wrk" if shutil.which("wrk") else "python"
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    if args.spawn:
        summary = spawn_and_compare(args, headers)
    elif args.direct and args.via:
        summary = compare(
            args.direct, args.via, requests=args.requests, concurrency=args.concurrency,
            seconds=args.seconds, rounds=args.rounds, tool=args.tool, headers=headers,
        )
    else:
        parser.error("give --direct and --via, or --spawn")
    if args.json:
        print(json.dumps(summary, indent=2))
    return 1 if args.check and not summary["within_budget"] else 0


if __name__ == "__main__":
    sys.exit(main())
