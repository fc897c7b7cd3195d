"""`python -m bench [section ...]`: every measurement in order, or only the sections named."""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import UTC, datetime

from bench import portal
from bench.report import report

SECTIONS = ("gateway", "signin", "scale", "floor", "events", "ctpat", "svi", "documents", "messaging", "web")


async def main(sections: list[str]) -> None:
    report(f"make bench on {os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    emails = await portal.register_users(3)
    if "gateway" in sections:
        from bench.gateway_overhead import gateway_overhead

        gateway_overhead(await portal.access_token(emails[0]))
    if "signin" in sections:
        from bench.signin import signin_against_argon2

        signin_against_argon2(emails[1])
    if "scale" in sections or "floor" in sections:
        owner = emails[2]
        account_id = (await portal.seed_trade_accounts(
            await portal.user_id(await portal.access_token(owner)), owner))[0]
        if "scale" in sections:
            from bench.scale import trade_accounts_at_scale

            await trade_accounts_at_scale(owner, account_id)
        if "floor" in sections:
            from bench.per_request import per_request_cost

            await per_request_cost(owner, account_id)
    if "ctpat" in sections:
        from bench.ctpat import ctpat_at_scale

        officer = emails[0]
        await ctpat_at_scale(officer, await portal.user_id(await portal.access_token(officer)))
    if "svi" in sections:
        from bench.svi import svi_at_scale

        token = await portal.access_token(emails[0])
        await svi_at_scale(token, await portal.user_id(token))
    if "documents" in sections:
        from bench.documents import documents_at_scale

        # The user who only signed in so far: no write of theirs makes documents wait for another service's events.
        user = emails[1]
        await documents_at_scale(user, await portal.user_id(await portal.access_token(user)))
    if "messaging" in sections:
        from bench.messaging import messaging_at_scale

        # The user who only signed in so far: a contact in messaging's database alone (documents' contact is in
        # documents' alone), so no event of another service's changes what the section wrote.
        user = emails[1]
        await messaging_at_scale(user, await portal.user_id(await portal.access_token(user)))
    if "web" in sections:
        from bench.web import web_pages_at_8_users

        await web_pages_at_8_users()
    if "events" in sections:
        from bench.events import event_propagation

        await event_propagation()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("sections", nargs="*", metavar="section", help=f"any of {', '.join(SECTIONS)} (default: all)")
    chosen = parser.parse_args().sections or list(SECTIONS)
    if unknown := set(chosen) - set(SECTIONS):
        parser.error(f"unknown section {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    asyncio.run(main(chosen))
