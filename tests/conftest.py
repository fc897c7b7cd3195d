"""System and fault tests: the running portal (gateway, identity, worker) on real infrastructure.

`make test` starts everything first; these tests only talk to it over HTTP and
Kafka, like a browser or an outside subscriber would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from servicekit.testing.pytest_plugin import require_env

LISTENER = Path(__file__).parent / "system" / "event_listener.py"
PASSWORD = "Harbor#Crane42"


@pytest.fixture(scope="session")
def gateway_url() -> str:
    require_env("KAFKA_BOOTSTRAP_SERVERS")
    url = os.environ.get("PORTAL_GATEWAY_URL", "http://127.0.0.1:8080")
    try:
        httpx.get(f"{url}/health/live", timeout=5).raise_for_status()
    except httpx.HTTPError:
        pytest.exit(f"the portal is not running at {url}: run `make test` (or `make run`)", returncode=3)
    return url


@pytest.fixture
def portal(gateway_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        yield client


class Listener:
    """An outside subscriber process reading a topic; its records, as parsed JSON lines."""

    def __init__(self, topic: str, outfile: Path) -> None:
        self.outfile = outfile
        self.process = subprocess.Popen(
            [sys.executable, str(LISTENER), topic, str(outfile)],
            env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=open(f"{outfile}.err", "w"),
        )
        self._wait(lambda lines: lines and lines[0].get("ready"), timeout=60, what="listener ready")

    def _lines(self) -> list[dict]:
        if not self.outfile.exists():
            return []
        return [json.loads(line) for line in self.outfile.read_text().splitlines() if line.strip()]

    def records(self) -> list[dict]:
        return [line for line in self._lines() if "payload" in line]

    def _wait(self, predicate, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate(self._lines())
            if result:
                return result
            if self.process.poll() is not None:
                raise AssertionError(f"listener died: {Path(f'{self.outfile}.err').read_text()[-2000:]}")
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def wait_for(self, predicate, timeout: float = 60, settle: float = 2.0) -> list[dict]:
        """Waits until some record matches, then a little longer to catch duplicates."""
        self._wait(lambda _: [r for r in self.records() if predicate(r)], timeout, "the event")
        time.sleep(settle)
        return [r for r in self.records() if predicate(r)]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def topic_listener(tmp_path: Path):
    """`topic_listener(topic)`: an outside subscriber of that topic, started now, stopped after the test."""
    started: list[Listener] = []

    def start(topic: str) -> Listener:
        listener = Listener(topic, tmp_path / f"{topic}.jsonl")
        started.append(listener)
        return listener

    yield start
    for listener in started:
        listener.stop()


@pytest.fixture
def user_topic_listener(tmp_path: Path) -> Iterator[Listener]:
    listener = Listener("identity.user.v1", tmp_path / "records.jsonl")
    yield listener
    listener.stop()


def _new_email() -> str:
    return f"sys-{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture
def new_email():
    return _new_email


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def registered_user(portal: httpx.Client) -> dict:
    """A trade user registered and signed in through the gateway: email, id, tokens."""
    email = _new_email()
    questions = [{"question_id": i, "answer": f"answer {i}"} for i in (1, 2, 3)]
    created = portal.post("/api/identity/users", json={"email": email, "password": PASSWORD, "security_questions": questions})
    assert created.status_code == 201, created.text
    tokens = portal.post("/api/identity/sessions", json={"email": email, "password": PASSWORD})
    assert tokens.status_code == 201, tokens.text
    return {"email": email, "id": created.json()["id"], "tokens": tokens.json()}


@pytest.fixture
def trace_spans():
    """Reads every process's span file for the spans of one trace."""
    return _spans_of_trace


def _spans_of_trace(trace_id: str) -> list[dict]:
    directory = Path(require_env("PORTAL_TRACES_DIR"))
    spans = []
    for path in directory.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            if trace_id in line:
                span = json.loads(line)
                if span["trace_id"] == trace_id:
                    spans.append(span)
    return spans
