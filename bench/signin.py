"""Sign-in throughput against the bare argon2id verify rate with the same parameters and threads.

Goal: >= 0.7x.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher, Type

from bench.load import verdict, wrk
from bench.portal import IDENTITY, PASSWORD
from bench.report import report
from identity.settings import IdentitySettings


def bare_argon2_rate(seconds: float = 5.0) -> float:
    settings = IdentitySettings()
    hasher = PasswordHasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism, type=Type.ID,
    )
    hashed = hasher.hash(PASSWORD)
    deadline = time.monotonic() + seconds

    def verify_until_deadline() -> int:
        n = 0
        while time.monotonic() < deadline:
            hasher.verify(hashed, PASSWORD)
            n += 1
        return n

    with ThreadPoolExecutor(settings.hashing_threads) as pool:
        counts = list(pool.map(lambda _: verify_until_deadline(), range(settings.hashing_threads)))
    return sum(counts) / seconds


def signin_against_argon2(email: str) -> None:
    # Interleaved rounds: this machine's speed drifts by tens of percent from one
    # second to the next, so each ratio compares neighbours and the median is reported.
    body = json.dumps({"email": email, "password": PASSWORD})
    rounds = []
    for _ in range(5):
        bare = bare_argon2_rate(3.0)
        load = wrk(f"{IDENTITY}/sessions", seconds=5, connections=8, method="POST", body=body,
                   headers={"Content-Type": "application/json"})
        rounds.append((bare, load.rps, load.rps / bare, load.non2xx))
    bare, rate, ratio, _ = sorted(rounds, key=lambda r: r[2])[len(rounds) // 2]
    failures = sum(r[3] for r in rounds)
    report(
        f"sign-in  {rate:.1f} sign-ins/s vs bare argon2id verify {bare:.1f}/s = {ratio:.2f}x median of "
        f"{', '.join(f'{r[2]:.2f}' for r in rounds)} ({verdict(ratio >= 0.7)} >= 0.7x)"
        + (f" | {failures} refused" if failures else "")
    )
