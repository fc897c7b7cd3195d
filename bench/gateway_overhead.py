"""The gateway's cost on the portal's own requests: identity straight and through the gateway.

Goal: +<= 1 ms at p50 and >= 0.6x direct throughput.
"""

from __future__ import annotations

from bench.load import median, verdict, wrk
from bench.portal import GATEWAY, IDENTITY, bearer
from bench.report import report


def gateway_overhead(token: str) -> None:
    cases = [
        ("GET /health/live", "/health/live", {}),
        ("GET /me (bearer, database)", "/me", bearer(token)),
    ]
    for name, path, headers in cases:
        for connections in (1, 16):
            direct, via = [], []
            for _ in range(2):  # interleaved rounds, so drift hits both sides alike
                direct.append(wrk(f"{IDENTITY}{path}", connections=connections, headers=headers))
                via.append(wrk(f"{GATEWAY}/api/identity{path}", connections=connections, headers=headers))
            d, g = median(direct), median(via)
            added = g.p50 - d.p50
            ratio = g.rps / d.rps
            bad = d.non2xx + g.non2xx
            report(
                f"gateway  {name:28} c={connections:<2} direct p50 {d.p50:.2f} ms p99 {d.p99:.2f} ms "
                f"{d.rps:.0f} req/s | via gateway p50 {g.p50:.2f} ms p99 {g.p99:.2f} ms {g.rps:.0f} req/s "
                f"| +{added:.2f} ms at p50 ({verdict(added <= 1.0)} <= 1 ms), "
                f"{ratio:.2f}x throughput ({verdict(ratio >= 0.6)} >= 0.6x)"
                + (f" | {bad} non-2xx" if bad else "")
            )
