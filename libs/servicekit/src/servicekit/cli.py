"""The command line every service has: `serve | work | migrate`, plus its own admin verbs."""

from __future__ import annotations

import argparse
import asyncio
import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from servicekit.migrations import upgrade_to_head
from servicekit.settings import ServiceSettings
from servicekit.worker import run_until_signalled


def service_cli(
    prog: str,
    *,
    settings: Callable[[], ServiceSettings],
    bootstrap_module: str,
    migrations: Path,
    extra_verbs: Callable[[argparse._SubParsersAction], None] | None = None,
    after_migrate: Callable[[ServiceSettings], None] | None = None,
) -> Callable[[list[str] | None], None]:
    """`bootstrap_module` (e.g. `trade_accounts.app`) has `create_app(settings)` and `build_worker(settings)`.

    It is imported only by the verb that needs it, so `migrate` and admin verbs start fast.
    """

    def bootstrap() -> ModuleType:
        return importlib.import_module(bootstrap_module)

    def serve(args: argparse.Namespace) -> None:
        import uvicorn

        config = settings()
        uvicorn.run(
            bootstrap().create_app(config), host=args.host or config.host, port=args.port or config.port,
            log_level="warning", access_log=False, loop="uvloop", http="httptools",
        )

    def work(_: argparse.Namespace) -> None:
        config = settings()
        asyncio.run(run_until_signalled(*bootstrap().build_worker(config), health_port=config.worker_health_port,
                                        host=config.host))

    def migrate(_: argparse.Namespace) -> None:
        config = settings()
        upgrade_to_head(migrations, config.database_url)
        if after_migrate is not None:
            after_migrate(config)

    def main(argv: list[str] | None = None) -> None:
        parser = argparse.ArgumentParser(prog=prog)
        verbs = parser.add_subparsers(dest="verb", required=True)
        serve_verb = verbs.add_parser("serve", help="run the HTTP API")
        serve_verb.add_argument("--host")
        serve_verb.add_argument("--port", type=int)
        serve_verb.set_defaults(run=serve)
        verbs.add_parser("work", help="run the outbox relay and the event consumers").set_defaults(run=work)
        verbs.add_parser("migrate", help="bring the database schema to head").set_defaults(run=migrate)
        if extra_verbs is not None:
            extra_verbs(verbs)
        args = parser.parse_args(argv)
        args.run(args)

    return main
