"""`gateway serve [--host H] [--port P]`: the gateway on uvicorn (uvloop, httptools).

`gateway migrate`: the browser-session table, when sessions live in PostgreSQL
(GATEWAY_DATABASE_URL); then any number of gateway processes share them.
Rate-limit buckets stay per process.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import uvicorn

from gateway.app import create_app
from gateway.settings import GatewaySettings
from servicekit.migrations import upgrade_to_head
from servicekit.telemetry import configure_logging, configure_tracing


def serve(settings: GatewaySettings, host: str, port: int) -> None:
    configure_logging(settings.service_name, settings.log_level)
    # httpx logs every control-plane call (each health probe) at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    configure_tracing(
        settings.service_name, otlp_endpoint=settings.otlp_endpoint, traces_dir=settings.traces_dir,
        sample_ratio=settings.trace_sample_ratio,
    )
    uvicorn.run(
        create_app(settings, freeze_gc_on_startup=True),
        host=host,
        port=port,
        loop="uvloop",
        log_config=None,  # structlog's set-up from configure_logging stays in force
        **uvicorn_options(settings),
    )


def uvicorn_options(settings: GatewaySettings) -> dict[str, Any]:
    """How uvicorn must serve the gateway (tests serve it the same way)."""
    trusted = settings.forwarded_allow_ips
    return {
        "http": "httptools",
        "lifespan": "on",
        "access_log": False,  # services log each request with its request id
        "server_header": False,
        # Only a trusted load balancer may say who the client is.
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
    }


def main(argv: list[str] | None = None) -> None:
    settings = GatewaySettings()
    parser = argparse.ArgumentParser(prog="gateway", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the gateway")
    serve_parser.add_argument("--host", default=settings.host)
    serve_parser.add_argument("--port", type=int, default=settings.port)
    commands.add_parser("migrate", help="bring the browser-session table to head (when GATEWAY_DATABASE_URL is set)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(settings, args.host, args.port)
    elif args.command == "migrate":
        migrate(settings)


def migrate(settings: GatewaySettings) -> None:
    if not settings.database_url:
        print("GATEWAY_DATABASE_URL is not set: browser sessions live in memory; nothing to migrate")
        return
    upgrade_to_head(Path(__file__).parent / "migrations", settings.database_url)


if __name__ == "__main__":
    main()
