"""web: the server time of the web client's main pages through the gateway, at 8 users at once (issue 11).

Goal: every main page's p95 < 100 ms with 8 signed-in users loading it at once.

Eight trade users, each signed in through the web client's own sign-in page (a browser session cookie at
the gateway), each with a Trade Account of their own (an address, a second user). For each page, wrk keeps
8 connections busy for a few seconds, every request carrying the next user's cookie and asking for that
user's own page, so the 8 sessions are served side by side as 8 people would be. The time measured is
the browser's wait for the whole page: gateway -> web client -> the gateway's API (several calls per
page, to several services) -> back. Pages that need more seeding (a Security Model's, CBP staff's) join
this list as their screens land.
"""

from __future__ import annotations

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

# page name -> path, with {account} standing for the user's own Trade Account
PAGES = {
    "home": "/",
    "my account": "/account",
    "company information": "/trade-accounts/{account}/profile/company",
    "addresses": "/trade-accounts/{account}/profile/addresses",
    "users": "/trade-accounts/{account}/profile/users",
    "summary": "/trade-accounts/{account}/profile/summary",
    "tasks": "/trade-accounts/{account}/tasks",
}


async def _signed_in_user(client: httpx.AsyncClient) -> tuple[str, str]:
    """A new trade user with a Trade Account, signed in through the web client; (cookie header, account id)."""
    email = f"bench-web-{uuid.uuid4().hex[:10]}@example.com"
    (await client.post("/api/identity/users", json={
        "email": email, "password": PASSWORD, "security_questions": QUESTIONS})).raise_for_status()
    token = (await client.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})).json()
    bearer = {"authorization": f"Bearer {token['access_token']}"}
    (await client.put("/api/identity/me/profile", json=PROFILE, headers=bearer)).raise_for_status()
    account = (await client.post("/api/trade-accounts/trade-accounts", headers=bearer, json={
        "company_information": {"company_name": f"Bench {uuid.uuid4().hex[:8]} Imports"}})).json()
    (await client.post(f"/api/trade-accounts/trade-accounts/{account['id']}/addresses", headers=bearer, json={
        "type": "headquarters", "street_line_1": "1 Port Blvd", "city": "Laredo", "country": "US",
        "state": "TX", "postal_code": "78040"})).raise_for_status()
    # Signing in through the page itself: the cookies a browser would hold afterwards.
    browser = httpx.AsyncClient(base_url=GATEWAY, timeout=30)
    async with browser:
        signed = await browser.post("/sign-in", data={"email": email, "password": PASSWORD, "next": "/"})
        assert signed.status_code == 303, signed.text[:300]
        cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    return cookie, account["id"]


async def web_pages_at_8_users() -> None:
    report("")
    report(f"web client: each main page's server time through the gateway, {USERS} signed-in users at once "
           f"(goal p95 < {P95_GOAL} ms)")
    async with httpx.AsyncClient(base_url=GATEWAY, timeout=30) as client:
        users = [await _signed_in_user(client) for _ in range(USERS)]
    worst = 0.0
    for name, template in PAGES.items():
        paths = [template.format(account=account) for _, account in users]
        heads = [{"cookie": cookie} for cookie, _ in users]
        # Warm: the first request of each user's session warms caches (token verification, connections).
        wrk(GATEWAY + "/", seconds=1, connections=USERS, paths=paths, path_headers=heads)
        load = median([wrk(GATEWAY + "/", seconds=SECONDS, connections=USERS, paths=paths, path_headers=heads)
                       for _ in range(ROUNDS)])
        worst = max(worst, load.p95)
        report(f"  {name:<22} p50 {load.p50:6.1f} ms  p95 {load.p95:6.1f} ms  p99 {load.p99:6.1f} ms  "
               f"{load.rps:6.0f} pages/s  errors {load.non2xx}  {verdict(load.p95 < P95_GOAL and not load.non2xx)}")
    report(f"  worst page p95 {worst:.1f} ms: {verdict(worst < P95_GOAL)} the goal of {P95_GOAL} ms")
