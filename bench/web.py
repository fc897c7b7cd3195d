"""web: the server time of the web client's main pages through the gateway, at 8 users at once (issue 11).

Goal: every main page's p95 < 100 ms with 8 signed-in users loading it at once.

Eight trade users, each signed in through the web client's own sign-in page (a browser session cookie at
the gateway), each with a Trade Account of their own (an address, a second user). For each page, wrk keeps
8 connections busy for a few seconds, every request carrying the next user's cookie and asking for that
user's own page, so the 8 sessions are served side by side as 8 people would be. The time measured is
the browser's wait for the whole page: gateway -> web client -> the gateway's API (several calls per
page, to several services) -> back. Each user also has a C-TPAT application (a Security Model with its
address), so its pages, the Document Library, Messages and SVI are measured the same way; eight SCSS,
made with identity's command line, load the CBP work queue.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid

import httpx

from bench.load import median, verdict, wrk
from bench.portal import GATEWAY, PASSWORD
from bench.report import report

USERS = 8
SECONDS = 4
ROUNDS = 3
P95_GOAL = 100  # ms
QUESTIONS = [{"question_id": i, "answer": f"bench answer {i}"} for i in (1, 2, 3)]
PROFILE = {"salutation": "Ms.", "first_name": "Bench", "last_name": "User", "title": "Compliance",
           "phone": "+1 202 555 0100"}

IMPORTER_ELIGIBILITY = {"imp_active_importer": "yes", "imp_staffed_office": "united_states",
                        "imp_ior_and_bond": "yes", "imp_security_officer": "yes"}

# page name -> path, with {account} and {model} standing for the user's own Trade Account and Security Model
PAGES = {
    "home": "/",
    "my account": "/account",
    "company information": "/trade-accounts/{account}/profile/company",
    "addresses": "/trade-accounts/{account}/profile/addresses",
    "users": "/trade-accounts/{account}/profile/users",
    "summary": "/trade-accounts/{account}/profile/summary",
    "tasks": "/trade-accounts/{account}/tasks",
    "c-tpat accounts": "/trade-accounts/{account}/c-tpat",
    "security model": "/security-models/{model}",
    "security profile": "/security-models/{model}/security-profile",
    "document library": "/documents/libraries/trade-public",
    "messages": "/messages",
    "svi partners": "/security-models/{model}/svi/partners-you-monitor",
}
STAFF_PAGES = {"cbp work queue": "/cbp/work-queue"}


async def _signed_in_user(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """A new trade user with a Trade Account and a C-TPAT application, signed in through the web client:
    (cookie header, {"account": ..., "model": ...})."""
    email = f"bench-web-{uuid.uuid4().hex[:10]}@example.com"
    (await client.post("/api/identity/users", json={
        "email": email, "password": PASSWORD, "security_questions": QUESTIONS})).raise_for_status()
    token = (await client.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})).json()
    bearer = {"authorization": f"Bearer {token['access_token']}"}
    (await client.put("/api/identity/me/profile", json=PROFILE, headers=bearer)).raise_for_status()
    account = (await client.post("/api/trade-accounts/trade-accounts", headers=bearer, json={
        "company_information": {"company_name": f"Bench {uuid.uuid4().hex[:8]} Imports"}})).json()
    address = await client.post(f"/api/trade-accounts/trade-accounts/{account['id']}/addresses", headers=bearer,
                                json={"type": "headquarters", "street_line_1": "1 Port Blvd", "city": "Laredo",
                                      "country": "US", "state": "TX", "postal_code": "78040"})
    address.raise_for_status()
    model = await client.post("/api/ctpat/security-models", headers=bearer, json={
        "trade_account_id": account["id"], "business_type": "importer", "eligibility_answers": IMPORTER_ELIGIBILITY,
        "identifiers": {"ior": ["12-3456789"]}, "applicant_contact_type": "officer"})
    model.raise_for_status()
    return await _browser_cookie(email), {"account": account["id"], "model": model.json()["id"]}


async def _browser_cookie(email: str) -> str:
    """Signing in through the page itself: the cookies a browser would hold afterwards."""
    async with httpx.AsyncClient(base_url=GATEWAY, timeout=30) as browser:
        signed = await browser.post("/sign-in", data={"email": email, "password": PASSWORD, "next": "/"})
        assert signed.status_code == 303, signed.text[:300]
        return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


async def _signed_in_scss() -> tuple[str, dict[str, str]]:
    email = f"bench-web-scss-{uuid.uuid4().hex[:8]}@cbp.example"
    await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "identity", "create-staff", email, "--role", "scss", "--password-stdin"],
        input=PASSWORD + "\n", text=True, check=True, capture_output=True, timeout=60)
    return await _browser_cookie(email), {}


def _measure(name: str, template: str, users: list[tuple[str, dict[str, str]]]) -> float:
    paths = [template.format(**ids) for _, ids in users]
    heads = [{"cookie": cookie} for cookie, _ in users]
    # Warm: the first request of each user's session warms caches (token verification, connections).
    wrk(GATEWAY + "/", seconds=1, connections=USERS, paths=paths, path_headers=heads)
    load = median([wrk(GATEWAY + "/", seconds=SECONDS, connections=USERS, paths=paths, path_headers=heads)
                   for _ in range(ROUNDS)])
    report(f"  {name:<22} p50 {load.p50:6.1f} ms  p95 {load.p95:6.1f} ms  p99 {load.p99:6.1f} ms  "
           f"{load.rps:6.0f} pages/s  errors {load.non2xx}  {verdict(load.p95 < P95_GOAL and not load.non2xx)}")
    return load.p95 if not load.non2xx else float("inf")


async def web_pages_at_8_users() -> None:
    report("")
    report(f"web client: each main page's server time through the gateway, {USERS} signed-in users at once "
           f"(goal p95 < {P95_GOAL} ms)")
    async with httpx.AsyncClient(base_url=GATEWAY, timeout=30) as client:
        users = [await _signed_in_user(client) for _ in range(USERS)]
    staff = [await _signed_in_scss() for _ in range(USERS)]
    worst = max([_measure(name, template, users) for name, template in PAGES.items()]
                + [_measure(name, template, staff) for name, template in STAFF_PAGES.items()])
    report(f"  worst page p95 {worst:.1f} ms: {verdict(worst < P95_GOAL)} the goal of {P95_GOAL} ms")
