"""An outside subscriber in its own process, as a partner agency's program would be.

Reads one topic from the beginning with its own consumer group and prints each
record as one JSON line (headers, key, payload). Instrumented with
OpenTelemetry, so its consumer span joins the trace the record carries.

    python tests/system/event_listener.py TOPIC OUTFILE
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid

from aiokafka import AIOKafkaConsumer

from servicekit.telemetry import configure_tracing


async def listen(topic: str, outfile: str) -> None:
    configure_tracing("event-listener", otlp_endpoint=None, traces_dir=os.environ.get("PORTAL_TRACES_DIR"))
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"),
        group_id=f"system-test-listener-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="latest",
        enable_auto_commit=True,
    )
    await consumer.start()
    # Ready once partitions are assigned: the test waits for this line.
    while not consumer.assignment():
        await asyncio.sleep(0.05)
        await consumer.getmany(timeout_ms=50)
    with open(outfile, "a") as out:
        out.write(json.dumps({"ready": True}) + "\n")
        out.flush()
        while not stop.is_set():
            try:
                record = await asyncio.wait_for(consumer.getone(), timeout=0.5)
            except TimeoutError:
                continue
            out.write(json.dumps({
                "headers": {k: v.decode() for k, v in record.headers},
                "key": record.key.decode() if record.key else None,
                "payload": json.loads(record.value),
            }) + "\n")
            out.flush()
    await consumer.stop()


if __name__ == "__main__":
    asyncio.run(listen(sys.argv[1], sys.argv[2]))
