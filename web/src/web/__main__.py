"""`web serve [--host H] [--port P]`: the web client on uvicorn, behind the gateway."""

from __future__ import annotations

import argparse

import uvicorn

from servicekit.telemetry import configure_logging, configure_tracing
from web.app import create_app
from web.settings import WebSettings


def serve(settings: WebSettings, host: str, port: int) -> None:
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(
        settings.service_name, otlp_endpoint=settings.otlp_endpoint, traces_dir=settings.traces_dir,
        sample_ratio=settings.trace_sample_ratio,
    )
    uvicorn.run(
        create_app(settings), host=host, port=port, loop="uvloop", http="httptools",
        log_config=None, access_log=False, server_header=False,
    )


def main(argv: list[str] | None = None) -> None:
    settings = WebSettings()
    parser = argparse.ArgumentParser(prog="web", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the web client")
    serve_parser.add_argument("--host", default=settings.host)
    serve_parser.add_argument("--port", type=int, default=settings.port)
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(settings, args.host, args.port)


if __name__ == "__main__":
    main()
