"""Token buckets: each caller may make `rate` requests a second, in bursts of up to `burst`.

Every request draws from the bucket of its client address; an authenticated
request also draws from its user's bucket, so one user cannot spread a flood
over many addresses, nor one address over many users' tokens. The buckets are
this process's own (the gateway runs as one process per host); a fleet of
gateways would share a limit by dividing it, or move it to a shared store.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        *,
        rate_per_second: float,
        burst: int,
        max_keys: int = 100_000,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("the rate must be positive and the burst at least 1")
        self._rate = rate_per_second
        self._burst = float(burst)
        self._max_keys = max_keys
        self._now = now
        # key -> [tokens left, when last refilled]
        self._buckets: dict[str, list[float]] = {}

    def check(self, key: str) -> int:
        """Takes one token for `key`: 0 when allowed, else the seconds to wait before retrying."""
        now = self._now()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._forget_full(now)
            self._buckets[key] = [self._burst - 1.0, now]
            return 0
        tokens = bucket[0] + (now - bucket[1]) * self._rate
        if tokens > self._burst:
            tokens = self._burst
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return 0
        bucket[0] = tokens
        return max(1, math.ceil((1.0 - tokens) / self._rate))

    def _forget_full(self, now: float) -> None:
        # A bucket that has refilled completely says nothing a new one would not.
        refill = self._burst / self._rate
        stale = [k for k, (_, last) in self._buckets.items() if now - last >= refill]
        for key in stale:
            del self._buckets[key]
        if len(self._buckets) >= self._max_keys:
            # Under a flood of distinct keys, forget the oldest half rather than grow.
            for key in list(self._buckets)[: self._max_keys // 2]:
                del self._buckets[key]
