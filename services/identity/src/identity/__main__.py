"""identity's command line: serve | work | migrate, and the admin verbs create-staff | rotate-keys | helpdesk."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from identity.settings import IdentitySettings
from servicekit.auth import StaffRole
from servicekit.cli import service_cli
from servicekit.errors import PortalError

MIGRATIONS = Path(__file__).parent / "migrations"


def _run_with_runtime(work: Callable[[Any], Awaitable[None]], settings: IdentitySettings | None = None) -> None:
    """Runs an admin verb on a runtime of its own, disposed afterwards; a refusal ends it with its reason."""
    from identity.app import build_runtime

    async def run() -> None:
        runtime = build_runtime(settings or IdentitySettings())
        try:
            await work(runtime)
        finally:
            await runtime.database.dispose()

    try:
        asyncio.run(run())
    except PortalError as exc:
        sys.exit(f"refused: {exc.detail}")


def _first_signing_key(settings) -> None:
    from identity.app import load_keys

    async def first_key(runtime) -> None:
        await load_keys(runtime.context)  # makes the first signing key if there is none

    _run_with_runtime(first_key, settings)


def _create_staff(args: argparse.Namespace) -> None:
    """CBP staff are made here, never by self-registration."""
    from identity import use_cases

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")

    async def create(runtime) -> None:
        async with runtime.database.transaction() as session:
            user = await use_cases.register(
                session, runtime.context, email=args.email, password=password, questions=[],
                kind="cbp", roles=sorted(set(args.role)),
            )
        print(f"created {user.email} ({', '.join(user.roles)}) id={user.id}")

    _run_with_runtime(create)


def _rotate_keys(_: argparse.Namespace) -> None:
    from identity.repository import SigningKeyRepository
    from identity.signing import rotate_keys

    settings = IdentitySettings()

    async def rotate(runtime) -> None:
        # Old keys stay published while tokens they signed can still be presented.
        retire_after = timedelta(minutes=settings.access_token_minutes) + timedelta(minutes=5)
        async with runtime.database.transaction() as session:
            kid = await rotate_keys(SigningKeyRepository(session), runtime.clock.now(), retire_after)
        print(f"new signing key {kid}")

    _run_with_runtime(rotate, settings)


HELPDESK_VERBS = {
    "unlock": ("unlock_sign_in", "lift the user's sign-in locks (ID-12) at every address"),
    "clear-questions": ("clear_security_questions", "clear the security questions; new ones at the next sign-in"),
    "send-reset-link": ("send_reset_link", "mail a reset link (needing no answers when the questions are cleared)"),
}


def _helpdesk(args: argparse.Namespace) -> None:
    """The Helpdesk's actions from a terminal: the operator names their own CBP Admin account, recorded as actor."""
    from identity import use_cases

    async def act(runtime) -> None:
        async with runtime.database.transaction() as session:
            actor_id = await use_cases.admin_id_by_email(session, args.admin)
            if args.helpdesk_verb == "history":
                for a in await use_cases.helpdesk_actions(session, actor_id=actor_id, email=args.email):
                    print(f"{a.occurred_at:%Y-%m-%d %H:%M:%S} {a.action} {a.user_email} "
                          f"by {a.actor_email} ({a.channel}): {a.reason}")
                return
            action = await use_cases.act_for_helpdesk(
                session, runtime.context, actor_id=actor_id, action=HELPDESK_VERBS[args.helpdesk_verb][0],
                email=args.email, reason=args.reason, channel="cli",
            )
        print(f"{action.action} {action.user_email} by {action.actor_email}, recorded as {action.id}")

    _run_with_runtime(act)


def _helpdesk_verbs(verbs) -> None:
    helpdesk = verbs.add_parser("helpdesk", help="the C-TPAT Helpdesk: act for a stuck user (CBP Admins only)")
    actions = helpdesk.add_subparsers(dest="helpdesk_verb", required=True)
    for verb, (_, help_text) in HELPDESK_VERBS.items():
        action = actions.add_parser(verb, help=help_text)
        action.add_argument("email", help="the user's email")
        action.add_argument("--reason", required=True, help="why (recorded with the action)")
        action.add_argument("--admin", required=True, help="your own CBP Admin email (recorded as who acted)")
        action.set_defaults(run=_helpdesk)
    history = actions.add_parser("history", help="what the Helpdesk did, newest first")
    history.add_argument("email", nargs="?", help="only this user's actions")
    history.add_argument("--admin", required=True, help="your own CBP Admin email")
    history.set_defaults(run=_helpdesk)


def _admin_verbs(verbs) -> None:
    staff = verbs.add_parser("create-staff", help="create a CBP staff user (SCSS, Management, Admin)")
    staff.add_argument("email")
    staff.add_argument("--role", action="append", required=True, choices=list(StaffRole))
    staff.add_argument("--password-stdin", action="store_true")
    staff.set_defaults(run=_create_staff)
    verbs.add_parser("rotate-keys", help="start signing with a new key").set_defaults(run=_rotate_keys)
    _helpdesk_verbs(verbs)


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
