"""Each upstream's readiness, as the gateway's own readiness reports it.

The gateway is ready while it can serve at all: a service that is down makes
its own routes answer 502, not the whole portal unready. So `/health/ready`
is 200 and lists what each upstream's `/health/ready` said: "ok" when every
instance is ready, "degraded (k of n ready)" when some are, else what the
first instance said.
"""

from __future__ import annotations

import asyncio

import httpx


async def upstream_readiness(
    http: httpx.AsyncClient, upstreams: dict[str, list[str]], *, timeout_seconds: float
) -> dict[str, str]:
    names = sorted(upstreams)
    states = await asyncio.gather(*(
        asyncio.gather(*(_readiness(http, url, timeout_seconds) for url in upstreams[name]))
        for name in names
    ))
    return {name: _summary(instances) for name, instances in zip(names, states, strict=True)}


def _summary(instances: list[str]) -> str:
    ready = instances.count("ok")
    if ready == len(instances):
        return "ok"
    if ready:
        return f"degraded ({ready} of {len(instances)} ready)"
    return instances[0]


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
