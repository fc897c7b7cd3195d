"""The pytest plugin every suite loads: requirement tags, the req report, infrastructure checks.

`@pytest.mark.req("ID-04")` says which rule a test proves. When
`PORTAL_REQ_REPORT_DIR` is set, each passing tagged test is written there
(one file per xdist worker) and `make req-report` reads them all.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

_passed: list[dict] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "req(id): the requirement ID this test proves")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.passed:
        return
    ids = [arg for mark in item.iter_markers("req") for arg in mark.args]
    if ids:
        _passed.append({"test": item.nodeid, "req": ids})


def pytest_sessionfinish(session: pytest.Session) -> None:
    directory = os.environ.get("PORTAL_REQ_REPORT_DIR")
    if not directory or not _passed:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    path = Path(directory) / f"passed-{worker}-{os.getpid()}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        for entry in _passed:
            out.write(json.dumps(entry) + "\n")


def require_env(name: str) -> str:
    """The address of a piece of real infrastructure, or stop the whole run with one line."""
    value = os.environ.get(name)
    if not value:
        pytest.exit(
            f"{name} is not set: the infrastructure is not running. Run `make test` "
            "(or `make infra` and then pytest with `. deploy/local/env.sh`).",
            returncode=3,
        )
    return value
