"""One service down, the others keep serving (PL-06): stop trade-accounts, identity still answers."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.fault
REPO = Path(__file__).resolve().parents[2]


def services(*args: str) -> None:
    subprocess.run(["bash", str(REPO / "deploy/local/services.sh"), *args], check=True, timeout=120,
                   stdout=subprocess.DEVNULL)


@pytest.mark.req("PL-06")
def test_with_trade_accounts_down_identity_still_serves_and_the_gateway_says_what_is_missing(
    portal, registered_user
):
    auth = {"Authorization": f"Bearer {registered_user['tokens']['access_token']}"}
    services("stop-one", "trade-accounts")
    try:
        down = portal.get("/api/trade-accounts/navigation", headers=auth)
        assert down.status_code in (502, 503)
        assert down.headers["content-type"] == "application/problem+json"
        assert portal.get("/api/identity/me", headers=auth).status_code == 200
        health = portal.get("/health/ready").json()
        assert health["upstreams"]["trade-accounts"] != "ok" and health["upstreams"]["identity"] == "ok"
    finally:
        services("restart", "trade-accounts")
    deadline = time.monotonic() + 30
    while portal.get("/api/trade-accounts/navigation", headers=auth).status_code != 200:
        assert time.monotonic() < deadline, "trade-accounts did not come back"
        time.sleep(0.2)
