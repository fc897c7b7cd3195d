"""identity's command line: serve | work | migrate | create-staff | rotate-keys."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import timedelta
from pathlib import Path

from servicekit.errors import PortalError
from servicekit.migrations import upgrade_to_head
from servicekit.worker import run_until_signalled

MIGRATIONS = Path(__file__).parent / "migrations"


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    from identity.app import create_app
    from identity.settings import IdentitySettings

    settings = IdentitySettings()
    uvicorn.run(
        create_app(settings), host=args.host or settings.host, port=args.port or settings.port,
        log_level="warning", access_log=False, loop="uvloop", http="httptools",
    )


def _work(_: argparse.Namespace) -> None:
    from identity.app import build_worker

    asyncio.run(run_until_signalled(*build_worker()))


def _migrate(_: argparse.Namespace) -> None:
    from identity.app import build_context, load_keys
    from identity.settings import IdentitySettings

    settings = IdentitySettings()
    upgrade_to_head(MIGRATIONS, settings.database_url)

    async def first_key() -> None:
        ctx = build_context(settings)
        await load_keys(ctx)  # makes the first signing key if there is none
        await ctx.database.dispose()

    asyncio.run(first_key())


def _create_staff(args: argparse.Namespace) -> None:
    """CBP staff are made here, never by self-registration."""
    from identity import use_cases
    from identity.app import build_context
    from identity.settings import IdentitySettings

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")

    async def create() -> None:
        ctx = build_context(IdentitySettings())
        try:
            async with ctx.database.transaction() as session:
                user = await use_cases.register(
                    session, ctx, email=args.email, password=password, questions=[],
                    kind="cbp", roles=sorted(set(args.role)),
                )
            print(f"created {user.email} ({', '.join(user.roles)}) id={user.id}")
        finally:
            await ctx.database.dispose()

    try:
        asyncio.run(create())
    except PortalError as exc:
        sys.exit(f"refused: {exc.detail}")


def _rotate_keys(_: argparse.Namespace) -> None:
    from identity.app import build_context
    from identity.repository import SigningKeyRepository
    from identity.settings import IdentitySettings
    from identity.signing import rotate_keys

    settings = IdentitySettings()

    async def rotate() -> None:
        ctx = build_context(settings)
        # Old keys stay published while tokens they signed can still be presented.
        retire_after = timedelta(minutes=settings.access_token_minutes) + timedelta(minutes=5)
        async with ctx.database.transaction() as session:
            kid = await rotate_keys(SigningKeyRepository(session), ctx.clock.now(), retire_after)
        await ctx.database.dispose()
        print(f"new signing key {kid}")

    asyncio.run(rotate())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="identity")
    verbs = parser.add_subparsers(dest="verb", required=True)
    serve = verbs.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(run=_serve)
    verbs.add_parser("work", help="run the outbox relay and the mail sender").set_defaults(run=_work)
    verbs.add_parser("migrate", help="bring the database schema to head").set_defaults(run=_migrate)
    staff = verbs.add_parser("create-staff", help="create a CBP staff user (SCSS, Management, Admin)")
    staff.add_argument("email")
    staff.add_argument("--role", action="append", required=True, choices=["scss", "management", "admin"])
    staff.add_argument("--password-stdin", action="store_true")
    staff.set_defaults(run=_create_staff)
    verbs.add_parser("rotate-keys", help="start signing with a new key").set_defaults(run=_rotate_keys)
    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
