"""svi at 50,000 participating companies, through the gateway (issue 8, scale).

Goals: company-name search (prefix and typo-tolerant) p95 < 50 ms; a burst of 1,000 StatusChanged events
reflected in every affected view within 2 s; and the search still right afterwards (no company below
Certified found).

The companies are written straight into svi's tables once per database (a bench fixture). The burst is
published onto ctpat's topic as ctpat's relay would (CloudEvents headers, keyed by model, versions above any
seen), so svi's real worker consumes it; the views are read through the gateway.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx

from bench.load import median, verdict, wrk
from bench.portal import GATEWAY, bearer
from bench.report import report

COMPANIES = 50_000
BURST = 1_000
ROUNDS = 3
FIRST = ["Atlantic", "Harbor", "Summit", "Pioneer", "Meridian", "Cascade", "Liberty", "Keystone", "Frontier",
         "Evergreen", "Golden", "Redwood", "Silver", "Northern", "Pacific", "Granite", "Coastal", "Prairie",
         "Zenith", "Orchard"]
SECOND = ["Freight", "Logistics", "Imports", "Trading", "Shipping", "Cargo", "Supply", "Distribution", "Carriers",
          "Manufacturing", "Exports", "Brokerage", "Transport", "Marine", "Rail"]
THIRD = ["LLC", "Inc", "Corp", "Co", "Group", "Partners", "Holdings", "Ltd", "SA de CV", "GmbH"]
# What a supply-chain manager types: beginnings, whole names, and near misses (typos).
QUERIES = ["Harbor Fre", "Summit Logistics", "Pioner Cargo", "Meridain Shipping", "Cascade", "Liberty Imports Co",
           "Keystone Trad", "Frontier Marine", "Evergren Supply", "Golden Rail", "Redwod Transport", "Granite Ex"]


def _names() -> list[str]:
    combos = [f"{a} {b} {c}" for a, b, c in itertools.product(FIRST, SECOND, THIRD)]  # 3,000
    return [f"{combos[n % len(combos)]} {n // len(combos) + 1}" if n >= len(combos) else combos[n]
            for n in range(COMPANIES)]


async def seed_svi(officer_id: uuid.UUID) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """50,000 participants (once per database); the bench officer's own model monitoring 1,000 of them."""
    from svi.settings import SviSettings

    conn = await asyncpg.connect(SviSettings().database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        have = await conn.fetchval("select count(*) from participants where business_types ? 'bench'")
        if have < COMPANIES:
            started = time.monotonic()
            rows = [(uuid.uuid4(), uuid.uuid4(), name) for name in _names()[have:]]
            async with conn.transaction():
                await conn.copy_records_to_table("companies", records=[(a, name) for _, a, name in rows],
                                                 columns=["trade_account_id", "company_name"])
                await conn.copy_records_to_table("participants", records=[
                    (m, a, "certified", True, True, '["importer", "bench"]', "[]") for m, a, _ in rows],
                    columns=["model_id", "trade_account_id", "status", "certified", "svi_signed", "business_types",
                             "contacts"])
            await conn.execute("analyze companies; analyze participants")
            report(f"svi      seeded {len(rows)} participating companies in {time.monotonic() - started:.0f} s")
        # The bench's own model: its officer is a contact; it monitors (accepted) 1,000 certified participants.
        me, account, member = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await conn.execute("insert into companies values ($1, $2)", account, f"Bench Monitor {me.hex[:6]}")
        await conn.execute("insert into members values ($1, $2, $3, 'active')", account, member, officer_id)
        await conn.execute(
            "insert into participants (model_id, trade_account_id, status, certified, svi_signed, business_types,"
            " contacts) values ($1, $2, 'certified', true, true, '[\"importer\"]', $3)",
            me, account, json.dumps([str(member)]))
        await conn.execute(
            "update participants set status = 'certified', certified = true where business_types ? 'bench'")
        monitored = [r["model_id"] for r in await conn.fetch(
            "select model_id from participants where business_types ? 'bench' order by random() limit $1", BURST)]
        now = datetime.now(UTC).isoformat()
        history = json.dumps([{"state": "pending", "at": now, "by": None, "note": None},
                              {"state": "accepted", "at": now, "by": str(officer_id), "note": None}])
        await conn.copy_records_to_table("monitoring_requests", records=[
            (uuid.uuid4(), m, me, "accepted", history, 2) for m in monitored],
            columns=["id", "monitored_model_id", "monitoring_model_id", "state", "history", "version"])
        total = await conn.fetchval("select count(*) from participants where svi_signed")
        report(f"svi      svi holds {total} participants; the bench model monitors {len(monitored)} of them")
        return me, monitored
    finally:
        await conn.close()


async def _publish_burst(models: list[uuid.UUID], status: str) -> None:
    import os

    from aiokafka import AIOKafkaProducer

    version = int(time.time() * 1000)  # above any version a seeded model saw
    producer = AIOKafkaProducer(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"], acks="all", linger_ms=5)
    await producer.start()
    try:
        sends = []
        for model_id in models:
            payload = {"security_model_id": str(model_id), "trade_account_id": str(uuid.uuid4()),
                       "occurred_at": datetime.now(UTC).isoformat(), "version": version, "status": status,
                       "previous_status": "certified", "certified": status == "certified",
                       "changed_by": str(uuid.uuid4()), "reason": "Bench burst.",
                       "business_types": ["importer", "bench"]}
            headers = [("ce_specversion", b"1.0"), ("ce_id", str(uuid.uuid4()).encode()),
                       ("ce_type", b"StatusChanged.v1"), ("ce_source", b"ctpat"),
                       ("ce_time", datetime.now(UTC).isoformat().encode()), ("ce_subject", str(model_id).encode()),
                       ("content-type", b"application/json")]
            sends.append(await producer.send("ctpat.security-model.v1", json.dumps(payload).encode(),
                                             key=str(model_id).encode(), headers=headers))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def svi_at_scale(officer_token: str, officer_id: uuid.UUID) -> None:
    me, monitored = await seed_svi(officer_id)
    headers = bearer(officer_token)
    paths = [f"/api/svi/security-models/{me}/partner-search?q={q.replace(' ', '%20')}" for q in QUERIES]
    runs = [wrk(f"{GATEWAY}{paths[0]}", seconds=5, connections=8, headers=headers, paths=paths)
            for _ in range(ROUNDS)]
    m = median(runs)
    report(f"svi      partner search (prefix and typos, {len(QUERIES)} queries in turn) via gateway c=8: "
           f"p50 {m.p50:.1f} ms p95 {m.p95:.1f} ms (rounds: {', '.join(f'{r.p95:.1f}' for r in runs)}) "
           f"{m.rps:.0f} req/s ({verdict(m.p95 < 50)} p95 < 50 ms)" + (f" | {m.non2xx} non-2xx" if m.non2xx else ""))

    view = f"{GATEWAY}/api/svi/security-models/{me}/partners-you-monitor?state=accepted"
    async with httpx.AsyncClient(timeout=30) as client:
        started = time.monotonic()
        await _publish_burst(monitored, "suspended")
        published = time.monotonic() - started
        while True:
            rows = (await client.get(view, headers=headers)).json()
            if len(rows) >= BURST and not any(r["certified"] for r in rows):
                break
            if time.monotonic() - started > 60:
                raise SystemExit("bench: the burst was not reflected within 60 s")
            await asyncio.sleep(0.05)
        reflected = time.monotonic() - started
        report(f"svi      {BURST} StatusChanged (published in {published * 1000:.0f} ms) reflected in the monitoring "
               f"view after {reflected * 1000:.0f} ms ({verdict(reflected < 2)} < 2 s)")
        # The search stays right: none of the suspended companies is found any more.
        suspended = {str(m) for m in monitored}
        leaks = 0
        for q in QUERIES:
            found = (await client.get(f"{GATEWAY}/api/svi/security-models/{me}/partner-search",
                                      params={"q": q}, headers=headers)).json()
            leaks += sum(1 for r in found if r["security_model_id"] in suspended)
        report(f"svi      after the burst, {len(QUERIES)} searches found {leaks} suspended companies (want 0)")
        await _publish_burst(monitored, "certified")  # leave the data as it was found
