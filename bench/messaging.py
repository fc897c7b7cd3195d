"""messaging: an SCSS's inbox over 200 Trade Accounts and 50,000 threads, through the gateway (issue 10).

Goal: the SCSS's inbox lists its first page (GET /api/messaging/inbox?limit=50) with p95 < 50 ms at 8 connections.
Beside it, with no goal: opening a thread (GET /api/messaging/threads/{id}, the first page's 50 in turn).

The 200 companies, their Security Models, the 50,000 threads and every message of theirs are written straight into
messaging's tables under fixed ids (a bench fixture, as the other sections seed theirs), once per database: a run
adds only what is missing. Each run's SCSS is a new CBP staff user (identity's command line, as ctpat's section
makes its own); the run hands it the 200 models and their threads (one UPDATE each, as an ScssAssigned does) and
replaces the previous SCSS's read marks with its own on about half of the threads. The bench user becomes the only
contact of the first model: its inbox must list that model's threads alone, every one unread for it.
"""

from __future__ import annotations

import itertools
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from bench.ctpat import create_scss
from bench.load import median, verdict, wrk
from bench.portal import GATEWAY, PASSWORD, bearer
from bench.report import report

ACCOUNTS = 200  # one Security Model each
THREADS = 50_000
PAGE = 50
ROUNDS = 3
P95_GOAL = 50  # ms
YEAR_SECONDS = 365 * 24 * 3600
SYSTEM_EVERY = 25  # one thread in 25 is the portal's annual review notice (MSG-05)

_NS = uuid.UUID("9b97952a-d2f9-478e-b6eb-08836e32036f")
CONTACT_MEMBER = uuid.uuid5(_NS, "contact member")  # the bench user, in the first company
# Who wrote the seeded messages: a contact and an SCSS before this run's (no portal user has these ids).
CONTACT_AUTHOR = uuid.uuid5(_NS, "contact author")
EARLIER_SCSS = uuid.uuid5(_NS, "earlier scss")

# 20 x 10 distinct company names.
PLACES = ["Atlantic", "Harbor", "Summit", "Pioneer", "Meridian", "Cascade", "Liberty", "Keystone", "Frontier",
          "Evergreen", "Golden", "Redwood", "Silver", "Northern", "Pacific", "Granite", "Coastal", "Prairie",
          "Zenith", "Orchard"]
TRADES = ["Freight", "Logistics", "Imports", "Trading", "Shipping", "Cargo", "Supply", "Distribution", "Marine",
          "Brokerage"]
SUFFIXES = ["LLC", "Inc", "Corp", "Co", "Group", "Ltd", "SA de CV"]
SUBJECTS = ["Seal verification procedure", "Question on criterion 4.1 (business partners)", "Validation visit dates",
            "Updated highway carrier agreement", "Container inspection checklist", "Corrective action follow-up",
            "Security profile: IT security section", "New warehouse in Laredo", "Point of contact change",
            "Agricultural contamination training", "Background checks for temporary staff", "MRA status question"]
BODIES = [
    "Please find our updated procedure in the Partner Library; it now covers the seven-point inspection at the "
    "origin warehouse and who signs the seal log.",
    "Thank you. Could you confirm whether the procedure applies to the Mexican facility as well, and who audits it?",
    "We reviewed your response and need the date of the last outside audit before we can close this item.",
    "The audit took place in March; the report is attached to criterion 4.1 of the Security Profile.",
    "Understood. I have noted it in the profile review. Nothing further is needed on this point for now.",
    "Our carrier changed last month; the new agreement includes the C-TPAT clauses your team asked about.",
    "Can we move the validation visit to the second week of the month? Our security manager is travelling.",
    "Yes, that works for us. I will send the agenda a week before the visit.",
]
SYSTEM_BODY = ("The annual review of your Security Profile is open. Review every section, update what changed, and "
               "submit it before the due date.")


def _dsn() -> str:
    from messaging.settings import MessagingSettings

    return MessagingSettings().database_url.replace("postgresql+asyncpg://", "postgresql://")


def _model_id(n: int) -> uuid.UUID:
    return uuid.uuid5(_NS, f"model {n}")


def _account_id(n: int) -> uuid.UUID:
    return uuid.uuid5(_NS, f"account {n}")


MODELS = [_model_id(n) for n in range(ACCOUNTS)]


def _company(n: int) -> str:
    return f"{PLACES[n % len(PLACES)]} {TRADES[n // len(PLACES)]} {SUFFIXES[n % len(SUFFIXES)]}"


@dataclass(frozen=True)
class _Thread:
    n: int
    id: uuid.UUID
    model: int
    subject: str
    system: bool
    created_at: datetime
    last_posted_at: datetime
    bodies: list[str]
    scss_first: bool
    read_count: int | None  # how far this run's SCSS has read it; None: never opened

    def row(self, scss_id: uuid.UUID) -> tuple:
        count = len(self.bodies)
        return (self.id, _model_id(self.model), scss_id, self.subject, "system" if self.system else "conversation",
                self.created_at, self.last_posted_at, count, count)

    def messages(self) -> list[tuple]:
        count = len(self.bodies)
        step = (self.last_posted_at - self.created_at) / (count - 1) if count > 1 else timedelta(0)
        authors = itertools.cycle(("scss", "contact") if self.scss_first else ("contact", "scss"))
        rows = []
        for sequence, body in enumerate(self.bodies, start=1):
            author = "system" if self.system and sequence == 1 else next(authors)
            by = {"system": None, "contact": CONTACT_AUTHOR, "scss": EARLIER_SCSS}[author]
            rows.append((self.id, sequence, uuid.uuid5(_NS, f"message {self.n} {sequence}"), author, by,
                         SYSTEM_BODY if author == "system" else body, self.created_at + step * (sequence - 1)))
        return rows


def _plan(now: datetime) -> list[_Thread]:
    """Every thread, drawn the same way whichever run draws it (only its times follow the first run's clock): some
    accounts write far more than others; the last message at any time of the past year; 1 to 6 messages."""
    rng = random.Random(50_000)
    cum = list(itertools.accumulate(1 / (n + 1) ** 0.5 for n in range(ACCOUNTS)))
    threads = []
    for n in range(THREADS):
        model = rng.choices(range(ACCOUNTS), cum_weights=cum)[0]
        count = rng.randint(1, 6)
        last = now - timedelta(seconds=rng.randint(0, YEAR_SECONDS))
        span = timedelta(minutes=rng.randint(10, 30 * 24 * 60)) if count > 1 else timedelta(0)
        scss_first = rng.random() < 0.3
        subject = rng.choice(SUBJECTS)
        bodies = [rng.choice(BODIES) for _ in range(count)]
        read = rng.random()
        # 40% read to the end, 10% read before the last reply came (unread again), the rest never opened.
        read_count = count if read < 0.4 else (count - 1 or None) if read < 0.5 else None
        system = n % SYSTEM_EVERY == 0
        if system:
            due = last - span + timedelta(days=90)
            subject = f"Annual review due {due:%B} {due.day}, {due.year}"
        threads.append(_Thread(n, uuid.uuid5(_NS, f"thread {n}"), model, subject, system, last - span, last, bodies,
                               scss_first, read_count))
    return threads


@dataclass(frozen=True)
class Seeded:
    first_page: list[tuple[uuid.UUID, bool]]  # the SCSS's newest 50 as the database orders them, and unread
    contact_threads: int  # the first model's


async def seed(scss_id: uuid.UUID, contact_user_id: uuid.UUID) -> Seeded:
    started = time.monotonic()
    plan = _plan(datetime.now(UTC))
    conn = await asyncpg.connect(_dsn())
    try:
        have = {r["id"] for r in await conn.fetch("select id from threads where security_model_id = any($1::uuid[])",
                                                  MODELS)}
        missing = [t for t in plan if t.id not in have]
        async with conn.transaction():
            # The read models messaging keeps from trade-accounts' and ctpat's events; no service knows these ids,
            # so no event ever changes them.
            await conn.executemany(
                "insert into companies (trade_account_id, company_name) values ($1, $2) on conflict do nothing",
                [(_account_id(n), _company(n)) for n in range(ACCOUNTS)])
            await conn.executemany(
                "insert into security_models (model_id, trade_account_id, business_types)"
                " values ($1, $2, '[\"importer\"]') on conflict do nothing",
                [(_model_id(n), _account_id(n)) for n in range(ACCOUNTS)])
            if missing:
                await conn.copy_records_to_table("threads", records=[t.row(scss_id) for t in missing], columns=[
                    "id", "security_model_id", "scss_user_id", "subject", "kind", "created_at", "last_posted_at",
                    "message_count", "version"])
                await conn.copy_records_to_table(
                    "messages", records=[m for t in missing for m in t.messages()],
                    columns=["thread_id", "sequence", "id", "author", "author_user_id", "body", "posted_at"])
            # Each model's thread count, as ThreadRepository keeps it when a thread starts.
            await conn.execute("update security_models s set thread_count = (select count(*) from threads t"
                               " where t.security_model_id = s.model_id) where s.model_id = any($1::uuid[])", MODELS)
            # This run's SCSS takes the models over, and with them their threads (ReadModels.scss_assigned).
            await conn.execute("update security_models set scss_user_id = $1 where model_id = any($2::uuid[])",
                               scss_id, MODELS)
            await conn.execute("update threads set scss_user_id = $1 where security_model_id = any($2::uuid[])",
                               scss_id, MODELS)
            # The previous run's SCSS's read marks go, this one's come: about 25,000 rows, not more each run.
            await conn.execute("delete from thread_reads where thread_id in"
                               " (select id from threads where security_model_id = any($1::uuid[]))", MODELS)
            await conn.copy_records_to_table("thread_reads", records=[
                (scss_id, t.id, t.read_count) for t in plan if t.read_count is not None],
                columns=["user_id", "thread_id", "read_count"])
            await conn.execute(
                "insert into members (member_id, trade_account_id, user_id, status) values ($1, $2, $3, 'active')"
                " on conflict (member_id) do update set user_id = excluded.user_id, status = 'active'",
                CONTACT_MEMBER, _account_id(0), contact_user_id)
            await conn.execute("insert into model_contacts (model_id, member_id) values ($1, $2)"
                               " on conflict do nothing", _model_id(0), CONTACT_MEMBER)
        if missing:
            report(f"messaging seeded {len(missing)} threads and {sum(len(t.bodies) for t in missing)} messages in "
                   f"{time.monotonic() - started:.1f} s")
        # As autovacuum leaves the tables at rest (visibility map, statistics), not as a bulk load or the 50,000
        # re-pointed threads do.
        for table in ("threads", "messages", "thread_reads", "security_models", "companies", "members",
                      "model_contacts"):
            await conn.execute(f"vacuum analyze {table}")
        first_page = [(r["id"], r["unread"]) for r in await conn.fetch(
            "select t.id, coalesce(r.read_count, 0) < t.message_count as unread from threads t"
            " left join thread_reads r on r.thread_id = t.id and r.user_id = $1"
            " where t.scss_user_id = $1 order by t.last_posted_at desc, t.id desc limit $2", scss_id, PAGE)]
        threads, messages = (await conn.fetchrow(
            "select (select count(*) from threads) as t, (select count(*) from messages) as m")).values()
        report(f"messaging messaging holds {threads} threads and {messages} messages; this run's SCSS has "
               f"{ACCOUNTS} accounts, {THREADS} threads, {sum(t.read_count is not None for t in plan)} read marks")
        return Seeded(first_page, sum(1 for t in plan if t.model == 0))
    finally:
        await conn.close()


async def _token(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    """Signed in through the gateway, as a browser does; a fresh token (they live minutes)."""
    r = await client.post(f"{GATEWAY}/api/identity/sessions", json={"email": email, "password": PASSWORD})
    r.raise_for_status()
    return bearer(r.json()["access_token"])


async def _get(client: httpx.AsyncClient, path: str, headers: dict[str, str], what: str) -> dict:
    r = await client.get(f"{GATEWAY}{path}", headers=headers)
    if r.status_code != 200:
        raise SystemExit(f"bench: {what} answered {r.status_code}: {r.text[:300]}")
    return r.json()


def _newest_first(items: list[dict]) -> bool:
    keys = [(datetime.fromisoformat(i["last_posted_at"]), uuid.UUID(i["id"])) for i in items]
    return all(a >= b for a, b in itertools.pairwise(keys))


async def check_pages(client: httpx.AsyncClient, scss: dict[str, str], contact: dict[str, str],
                      seeded: Seeded) -> list[str]:
    """What is measured answers right: the SCSS's first page is its newest 50 of 50,000, each with its company and
    its own unread mark, and a thread opens with every message, newest on top; the contact sees its model's threads
    alone, unread for it. Returns the first page's thread ids."""
    page = await _get(client, f"/api/messaging/inbox?limit={PAGE}", scss, "the SCSS's inbox")
    items = page["items"]
    if len(items) != PAGE or page["total"] != THREADS:
        raise SystemExit(f"bench: the SCSS's inbox listed {len(items)} of {page['total']}, not {PAGE} of {THREADS}")
    if not _newest_first(items) or [(uuid.UUID(i["id"]), i["unread"]) for i in items] != seeded.first_page:
        raise SystemExit("bench: the SCSS's first page is not its newest 50 threads with its own unread marks")
    if not all(i["company_name"] for i in items):
        raise SystemExit("bench: a thread on the SCSS's first page has no company name")
    first = items[0]
    thread = await _get(client, f"/api/messaging/threads/{first['id']}", scss, "a thread")
    if [m["sequence"] for m in thread["messages"]] != list(range(first["message_count"], 0, -1)):
        raise SystemExit("bench: the newest thread did not open with every message, newest on top")
    mine = await _get(client, f"/api/messaging/inbox?limit={PAGE}", contact, "the contact's inbox")
    if (mine["total"] != seeded.contact_threads or not _newest_first(mine["items"])
            or any(i["security_model_id"] != str(MODELS[0]) or not i["unread"] for i in mine["items"])):
        raise SystemExit(f"bench: the contact's inbox listed {mine['total']} threads, not its model's "
                         f"{seeded.contact_threads} alone, newest first and unread for it")
    unread = sum(i["unread"] for i in items)
    report(f"messaging the SCSS's first page: {PAGE} of {page['total']} newest first, {unread} unread; the "
           f"contact's: {len(mine['items'])} of its model's {mine['total']}")
    return [i["id"] for i in items]


def _line(name: str, runs, goal: int | None) -> str:
    m = median(runs)
    return (f"messaging {name} via gateway c=8: p50 {m.p50:.1f} ms p95 {m.p95:.1f} ms "
            f"(rounds: {', '.join(f'{r.p95:.1f}' for r in runs)}) {m.rps:.0f} req/s"
            + (f" ({verdict(m.p95 < goal)} p95 < {goal} ms)" if goal else " (no goal)")
            + (f" | {m.non2xx} non-2xx" if m.non2xx else ""))


async def messaging_at_scale(email: str, user_id: uuid.UUID) -> None:
    scss_id, scss_email = create_scss()
    seeded = await seed(scss_id, user_id)
    async with httpx.AsyncClient(timeout=30) as client:
        scss = await _token(client, scss_email)
        page = await check_pages(client, scss, await _token(client, email), seeded)
    inbox = f"{GATEWAY}/api/messaging/inbox?limit={PAGE}"
    threads = [f"/api/messaging/threads/{thread_id}" for thread_id in page]
    inbox_runs, thread_runs = [], []
    for _ in range(ROUNDS):  # interleaved: this machine's speed drifts second to second
        inbox_runs.append(wrk(inbox, seconds=5, connections=8, headers=scss))
        thread_runs.append(wrk(f"{GATEWAY}{threads[0]}", seconds=5, connections=8, headers=scss, paths=threads))
    report(_line(f"SCSS inbox over {ACCOUNTS} accounts and {THREADS} threads, first page of {PAGE}", inbox_runs,
                 P95_GOAL))
    report(_line(f"opening a thread (the first page's {PAGE} in turn, 1-6 messages)", thread_runs, None))
