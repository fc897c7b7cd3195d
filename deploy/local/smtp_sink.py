"""SMTP sink for development and tests: accept every mail, store it as a file.

Run by deploy/local/smtp.sh with the project's virtualenv:

    python deploy/local/smtp_sink.py [--host 127.0.0.1] [--port 10025] [--dir .local/mail]

(defaults from SMTP_HOST, SMTP_PORT, PORTAL_MAIL_DIR). Each message received
becomes one file ``<UTC timestamp>-<uuid4>.eml`` in the mail directory: the
message exactly as sent (DATA), preceded by two headers that record the SMTP
envelope, which the message itself may not show (Bcc recipients):

    X-Envelope-From: <sender>
    X-Envelope-To: <rcpt1>, <rcpt2>

Files are written to a temporary name and renamed, so a test that polls the
directory never reads half a message; names sort in arrival order. Nothing is
ever relayed. The sink accepts any sender and recipient, with no auth and no
TLS: it listens on loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

log = logging.getLogger("smtp_sink")


class MaildirSink:
    """aiosmtpd handler: one .eml file per accepted message."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        body = envelope.original_content or b""
        rcpts = ", ".join(envelope.rcpt_tos)
        head = f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: {rcpts}\r\n"
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"{stamp}-{uuid.uuid4()}.eml"
        tmp = self.directory / f".{name}.tmp"
        # Small files and a local disk: a blocking write in the loop is fine.
        tmp.write_bytes(head.encode("utf-8") + body)
        os.replace(tmp, self.directory / name)
        log.info("stored %s from=%s to=%s (%d bytes)", name, envelope.mail_from, rcpts, len(body))
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("SMTP_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SMTP_PORT", "10025")))
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path(os.environ.get("PORTAL_MAIL_DIR", ".local/mail")),
    )
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # aiosmtpd logs every SMTP command at INFO; one line per stored mail is enough.
    logging.getLogger("mail.log").setLevel(logging.WARNING)

    controller = Controller(
        MaildirSink(args.dir),
        hostname=args.host,
        port=args.port,
        # Keep the bytes exactly as sent (no decoding) and accept UTF-8
        # addresses, as a real relay would.
        decode_data=False,
        enable_SMTPUTF8=True,
        # Messages with attachments can be large; 32 MiB is plenty for tests.
        data_size_limit=32 * 1024 * 1024,
    )
    controller.start()  # serves in its own thread; returns once listening
    log.info("SMTP sink on %s:%d, writing to %s", args.host, args.port, args.dir)

    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        loop.run_until_complete(stop.wait())
    finally:
        controller.stop()
        loop.close()
        log.info("SMTP sink stopped")


if __name__ == "__main__":
    main()
