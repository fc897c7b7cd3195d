"""identity's command line: serve | work | migrate, and the admin verbs create-staff | rotate-keys."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import timedelta
from pathlib import Path

from identity.settings import IdentitySettings
from servicekit.cli import service_cli
from servicekit.errors import PortalError

MIGRATIONS = Path(__file__).parent / "migrations"


def _first_signing_key(settings) -> None:
    from identity.app import build_runtime, load_keys

    async def first_key() -> None:
        runtime = build_runtime(settings)
        await load_keys(runtime.context)  # makes the first signing key if there is none
        await runtime.database.dispose()

    asyncio.run(first_key())


def _create_staff(args: argparse.Namespace) -> None:
    """CBP staff are made here, never by self-registration."""
    from identity import use_cases
    from identity.app import build_runtime

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")

    async def create() -> None:
        runtime = build_runtime(IdentitySettings())
        try:
            async with runtime.database.transaction() as session:
                user = await use_cases.register(
                    session, runtime.context, email=args.email, password=password, questions=[],
                    kind="cbp", roles=sorted(set(args.role)),
                )
            print(f"created {user.email} ({', '.join(user.roles)}) id={user.id}")
        finally:
            await runtime.database.dispose()

    try:
        asyncio.run(create())
    except PortalError as exc:
        sys.exit(f"refused: {exc.detail}")


def _rotate_keys(_: argparse.Namespace) -> None:
    from identity.app import build_runtime
    from identity.repository import SigningKeyRepository
    from identity.signing import rotate_keys

    settings = IdentitySettings()

    async def rotate() -> None:
        runtime = build_runtime(settings)
        # Old keys stay published while tokens they signed can still be presented.
        retire_after = timedelta(minutes=settings.access_token_minutes) + timedelta(minutes=5)
        async with runtime.database.transaction() as session:
            kid = await rotate_keys(SigningKeyRepository(session), runtime.clock.now(), retire_after)
        await runtime.database.dispose()
        print(f"new signing key {kid}")

    asyncio.run(rotate())


def _admin_verbs(verbs) -> None:
    staff = verbs.add_parser("create-staff", help="create a CBP staff user (SCSS, Management, Admin)")
    staff.add_argument("email")
    staff.add_argument("--role", action="append", required=True, choices=["scss", "management", "admin"])
    staff.add_argument("--password-stdin", action="store_true")
    staff.set_defaults(run=_create_staff)
    verbs.add_parser("rotate-keys", help="start signing with a new key").set_defaults(run=_rotate_keys)


main = service_cli(
    "identity",
    settings=IdentitySettings,
    bootstrap_module="identity.app",
    migrations=MIGRATIONS,
    extra_verbs=_admin_verbs,
    after_migrate=_first_signing_key,
)


if __name__ == "__main__":
    main()
