"""trade-accounts at 10,000 accounts and 100,000 memberships, read through the gateway.

Goal: p95 < 50 ms for the Trade Account read (8 connections).
"""

from __future__ import annotations

import uuid

from bench.load import median, verdict, wrk
from bench.portal import GATEWAY, access_token, bearer
from bench.report import report

ROUNDS = 3


async def trade_accounts_at_scale(email: str, account_id: uuid.UUID) -> None:
    headers = bearer(await access_token(email))
    cases = [("navigation", f"{GATEWAY}/api/trade-accounts/navigation"),
             ("Trade Account read", f"{GATEWAY}/api/trade-accounts/trade-accounts/{account_id}")]
    runs: dict[str, list] = {name: [] for name, _ in cases}
    for _ in range(ROUNDS):  # interleaved, medians reported
        for name, url in cases:
            runs[name].append(wrk(url, seconds=5, connections=8, headers=headers))
    for name, _ in cases:
        m = median(runs[name])
        each = ", ".join(f"{r.p95:.1f}" for r in runs[name])
        report(f"scale    {name:20} via gateway c=8: p50 {m.p50:.1f} ms p95 {m.p95:.1f} ms (rounds: {each}) "
               f"{m.rps:.0f} req/s ({verdict(m.p95 < 50)} p95 < 50 ms)"
               + (f" | {m.non2xx} non-2xx" if m.non2xx else ""))
