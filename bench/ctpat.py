"""ctpat at 5,000 Security Models with fully answered profiles, through the gateway (issue 7 §7).

Goals: the SCSS work queue and a profile read p95 < 50 ms; saving one criterion response p95 < 50 ms; the
Summary PDF of a full profile < 1 s; and how long a StatusChanged takes to reach trade-accounts' read model
(p50, p99).

The models are written straight into ctpat's tables once per database (a bench fixture, not a client: through
the API, 650,000 responses would take longer than the bench); the bench's own model, its officer and its SCSS
are real portal users, and every measured request goes through the gateway.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from bench.load import median, verdict, wrk
from bench.portal import GATEWAY, PASSWORD, bearer
from bench.report import report

MODELS = 5_000
QUEUE_MODELS = 1_000  # assigned to the bench's SCSS
WAITING = 100  # of those, submitted and waiting for the SCSS
STATUS_ROUNDS = 40
PDF_ROUNDS = 8
ROUNDS = 3


def _dsn(settings_class) -> str:
    return settings_class().database_url.replace("postgresql+asyncpg://", "postgresql://")


def _model_row(model_id, account_id, member_id, address_id, now, scss, submitted, created_by):
    return (
        model_id, account_id, 1, "certified", scss,
        json.dumps([{"code": "importer", "sub_type": "importer", "account_number": f"CTB{model_id.hex[:7]}",
                     "eligibility_answers": {"imp_active_importer": "yes"}}]),
        json.dumps([{"kind": "ior", "value": "12-3456789"}]),
        json.dumps([{"address_id": str(address_id), "primary": True, "mailing": True}]),
        json.dumps([{"member_id": str(member_id), "type": "officer", "primary_poc": True}]),
        now.date(), submitted, False, now.date() + timedelta(days=275), now, created_by, 3,
    )


MODEL_COLUMNS = ["id", "trade_account_id", "catalogue_version", "status", "scss_user_id", "business_types",
                 "identifiers", "addresses", "contacts", "anniversary_date", "profile_submitted",
                 "earmarked_for_withdrawal", "next_review_opens", "created_at", "created_by", "version"]


async def _write_models(conn, models, criteria, evidence_criteria, now, *, name: str = "CT Scale") -> None:
    """models: (model_id, account_id, member_id, address_id, scss, submitted, owner_user_id, owner_email)."""
    await conn.copy_records_to_table("known_trade_accounts", records=[
        (a, f"{name} {m.hex[:8]} Imports") for m, a, *_ in models], columns=["trade_account_id", "company_name"])
    await conn.copy_records_to_table("account_members", records=[
        (a, member, user, email, "Bea", "Bench", "Compliance Officer", "2025550100", "company_administrator",
         "active") for _, a, member, _, _, _, user, email in models],
        columns=["trade_account_id", "member_id", "user_id", "email", "first_name", "last_name", "title", "phone",
                 "type", "status"])
    await conn.copy_records_to_table("account_addresses", records=[
        (a, address, "headquarters", "1 Harbor Way", None, "Baltimore", "US", "MD", "21230")
        for _, a, _, address, *_ in models],
        columns=["trade_account_id", "address_id", "type", "street_line_1", "street_line_2", "city", "country",
                 "state", "postal_code"])
    await conn.copy_records_to_table("security_models", records=[
        _model_row(m, a, member, address, now, scss, submitted, user)
        for m, a, member, address, scss, submitted, user, _ in models], columns=MODEL_COLUMNS)
    await conn.copy_records_to_table("status_history", records=[
        (m, seq, status, previous, now, user, reason)
        for m, _, _, _, _, _, user, _ in models
        for seq, status, previous, reason in ((1, "applicant", None, "Application started."),
                                              (2, "under_review", "applicant", "Submitted."),
                                              (3, "certified", "under_review", "Approved."))],
        columns=["security_model_id", "seq", "status", "previous_status", "at", "by_user_id", "reason"])
    text = ("We meet this criterion with a written procedure, reviewed every year by the security officer and "
            "audited by an outside firm; records are kept for five years. ") * 3
    batch = []
    for m, *_rest in models:
        user = _rest[5]
        batch.extend((m, c, text, False, None, 1, user, now) for c in criteria)
        if len(batch) > 50_000:
            await conn.copy_records_to_table("criterion_responses", records=batch, columns=[
                "security_model_id", "criterion_id", "text", "not_applicable", "reason", "revision", "updated_by",
                "updated_at"])
            batch = []
    if batch:
        await conn.copy_records_to_table("criterion_responses", records=batch, columns=[
            "security_model_id", "criterion_id", "text", "not_applicable", "reason", "revision", "updated_by",
            "updated_at"])
    await conn.copy_records_to_table("evidence_documents", records=[
        (uuid.uuid4(), m, c, f"Evidence {c}.pdf", now) for m, *_ in models for c in evidence_criteria],
        columns=["document_id", "security_model_id", "criterion_id", "title", "uploaded_at"])


async def seed_ctpat(officer_id: uuid.UUID, officer_email: str, scss_id: uuid.UUID) -> uuid.UUID:
    """5,000 certified importers with full profiles (once per database); the SCSS gets 1,000 of them (100 waiting);
    plus the bench officer's own model. Returns the officer's model id."""
    from ctpat.catalogue import current
    from ctpat.settings import CtpatSettings

    criteria = [c.id for c in current().criteria_for(["importer"])]
    evidence_criteria = [c.id for c in current().criteria_for(["importer"]) if c.evidence]
    now = datetime.now(UTC)
    conn = await asyncpg.connect(_dsn(CtpatSettings))
    try:
        have = await conn.fetchval("select count(*) from known_trade_accounts where company_name like 'CT Scale %'")
        if have < MODELS:
            started = time.monotonic()
            models = [(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), None, False, uuid.uuid4(),
                       f"o-{n}@ctscale.example") for n in range(MODELS - have)]
            async with conn.transaction():
                await _write_models(conn, models, criteria, evidence_criteria, now)
            await conn.execute("analyze")
            report(f"ctpat    seeded {len(models)} models x {len(criteria)} responses in "
                   f"{time.monotonic() - started:.0f} s")
        # This run's SCSS takes over 1,000 of them; 100 wait for review.
        await conn.execute(
            "update security_models set scss_user_id = $1, profile_submitted = (picked.rank <= $3)"
            " from (select id as pick, row_number() over (order by id) as rank from security_models m"
            "   where exists (select 1 from known_trade_accounts k where k.trade_account_id = m.trade_account_id"
            "   and k.company_name like 'CT Scale %') order by id limit $2) picked where id = picked.pick",
            scss_id, QUEUE_MODELS, WAITING)
        own = (uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), scss_id, False, officer_id, officer_email)
        async with conn.transaction():
            await _write_models(conn, [own], criteria, evidence_criteria, now, name="Bench Own")
        total = await conn.fetchval("select count(*) from security_models")
        responses = await conn.fetchval("select count(*) from criterion_responses")
        report(f"ctpat    ctpat holds {total} Security Models and {responses} criterion responses")
        return own[0]
    finally:
        await conn.close()


def create_scss() -> tuple[uuid.UUID, str]:
    """A real SCSS, made with identity's command line as an operator does; its id and email."""
    email = f"bench-scss-{uuid.uuid4().hex[:8]}@cbp.example"
    out = subprocess.run([sys.executable, "-m", "identity", "create-staff", email, "--role", "scss",
                          "--password-stdin"], input=PASSWORD + "\n", text=True, check=True, capture_output=True,
                         env=os.environ.copy(), timeout=60).stdout
    return uuid.UUID(out.rsplit("id=", 1)[1].strip()), email


async def _token(email: str) -> str:
    async with httpx.AsyncClient(base_url=GATEWAY, timeout=30) as client:
        r = await client.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
        r.raise_for_status()
        return r.json()["access_token"]


def _p95_runs(url: str, headers: dict, *, method: str = "GET", body: str | None = None, paths=()):
    runs = [wrk(url, seconds=5, connections=8, headers=headers, method=method, body=body, paths=paths)
            for _ in range(ROUNDS)]
    return median(runs), runs


async def ctpat_at_scale(officer_email: str, officer_id: uuid.UUID) -> None:
    scss_id, scss_email = create_scss()
    model_id = await seed_ctpat(officer_id, officer_email, scss_id)
    officer = bearer(await _token(officer_email))
    scss = bearer(await _token(scss_email))
    base = f"{GATEWAY}/api/ctpat/security-models/{model_id}"
    json_headers = {**officer, "Content-Type": "application/json"}
    from ctpat.catalogue import current

    # Eight connections save eight different criteria at a time, one after another (as contacts would).
    criteria = [f"/api/ctpat/security-models/{model_id}/profile/{c.id}" for c in current().criteria_for(["importer"])]
    cases = [
        ("SCSS work queue", f"{GATEWAY}/api/ctpat/work-queue", scss, "GET", None, ()),
        ("profile read", f"{base}/profile", officer, "GET", None, ()),
        ("save a criterion", f"{base}/profile/1.1", json_headers, "PUT",
         json.dumps({"response": "Updated: seals are now audited weekly by the dock supervisor."}), criteria),
    ]
    for name, url, headers, method, body, paths in cases:
        m, runs = _p95_runs(url, headers, method=method, body=body, paths=paths)
        each = ", ".join(f"{r.p95:.1f}" for r in runs)
        report(f"ctpat    {name:18} via gateway c=8: p50 {m.p50:.1f} ms p95 {m.p95:.1f} ms (rounds: {each}) "
               f"{m.rps:.0f} req/s ({verdict(m.p95 < 50)} p95 < 50 ms)"
               + (f" | {m.non2xx} non-2xx" if m.non2xx else ""))

    async with httpx.AsyncClient(timeout=60) as client:
        seconds = []
        for _ in range(PDF_ROUNDS):
            started = time.perf_counter()
            r = await client.get(f"{base}/summary.pdf", headers=officer)
            seconds.append(time.perf_counter() - started)
            r.raise_for_status()
        report(f"ctpat    Summary PDF of a full profile ({len(r.content) // 1024} KiB): median "
               f"{statistics.median(seconds) * 1000:.0f} ms, slowest {max(seconds) * 1000:.0f} ms of {PDF_ROUNDS} "
               f"({verdict(max(seconds) < 1)} < 1 s)")
        await status_reaching_trade_accounts(client, base, model_id, scss)


async def status_reaching_trade_accounts(client: httpx.AsyncClient, base: str, model_id: uuid.UUID,
                                         scss: dict) -> None:
    """A StatusChanged from the SCSS's request to trade-accounts' read model (outbox, relay, Kafka, consumer)."""
    from trade_accounts.settings import TradeAccountsSettings

    conn = await asyncpg.connect(_dsn(TradeAccountsSettings))
    latencies = []
    try:
        for n in range(STATUS_ROUNDS):
            status = "suspended" if n % 2 == 0 else "certified"
            started = time.perf_counter()
            r = await client.post(f"{base}/status-changes", headers=scss,
                                  json={"status": status, "reason": f"Bench round {n}."})
            r.raise_for_status()
            deadline = started + 30
            while await conn.fetchval("select status from security_models where id = $1", model_id) != status:
                if time.perf_counter() > deadline:
                    raise SystemExit("bench: a StatusChanged did not reach trade-accounts within 30 s")
                await asyncio.sleep(0.002)
            latencies.append(time.perf_counter() - started)
    finally:
        await conn.close()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    report(f"ctpat    StatusChanged to trade-accounts' read model, request to applied, {len(latencies)} changes: "
           f"p50 {statistics.median(latencies) * 1000:.0f} ms p99 {p99 * 1000:.0f} ms")
