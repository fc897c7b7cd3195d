"""Each upstream's readiness, as the gateway's own readiness reports it.

The gateway is ready while it can serve at all: a service that is down makes
its own routes answer 502, not the whole portal unready. So `/health/ready`
is 200 and lists what each upstream's `/health/ready` said.
"""

from __future__ import annotations

import asyncio

import httpx


async def upstream_readiness(
    http: httpx.AsyncClient, upstreams: dict[str, str], *, timeout_seconds: float
) -> dict[str, str]:
    names = sorted(upstreams)
    states = await asyncio.gather(
        *(_readiness(http, upstreams[name], timeout_seconds) for name in names)
    )
    return dict(zip(names, states, strict=True))


async def _readiness(http: httpx.AsyncClient, base_url: str, timeout_seconds: float) -> str:
    try:
        response = await http.get(base_url.rstrip("/") + "/health/ready", timeout=timeout_seconds)
    except httpx.TimeoutException:
        return "timeout"
    except httpx.HTTPError:
        return "unreachable"
    if response.status_code == 200:
        return "ok"
    return "unavailable"
