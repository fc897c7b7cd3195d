"""deploy/topology.toml agrees with the event catalogue, the source tree, and what the scripts get from it."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from portal_events.catalogue import ALL_EVENTS, TOPICS
from servicekit import topology as topology_module

REPO = Path(__file__).resolve().parents[2]
RENDER = REPO / "deploy" / "topology.py"


@pytest.fixture(scope="module")
def topology() -> topology_module.Topology:
    return topology_module.load(REPO / "deploy" / "topology.toml")


def _clean_environ() -> dict[str, str]:
    """The environment without what env.sh or a developer may have set for the portal."""
    prefixes = ("PORTAL_", "GATEWAY_", "IDENTITY_", "TRADE_ACCOUNTS_", "CTPAT_", "SVI_",
                "DOCUMENTS_", "MESSAGING_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def _render(*args: str, environ: dict[str, str] | None = None) -> str:
    # The machine's interpreter, without site-packages, as the scripts run it.
    return subprocess.run(
        [sys.executable, "-S", str(RENDER), *args], check=True, capture_output=True, text=True,
        env=environ if environ is not None else _clean_environ(),
    ).stdout


def test_every_catalogue_topic_is_created_with_its_dead_letter_twin(topology):
    created = {t.name: t.partitions for t in topology.topics()}
    for topic in TOPICS:
        assert topic in created, f"{topic} is in the catalogue but not in deploy/topology.toml"
        assert created.get(f"{topic}.dlq") == 1, f"{topic}.dlq is missing"


def test_each_event_is_published_by_the_service_its_topic_names(topology):
    publisher = {t.name: s.name for s in topology.services.values() for t in s.publishes}
    for event in ALL_EVENTS:
        assert publisher[event.topic] == event.topic.split(".")[0], event.__name__


def test_every_consumer_group_reads_topics_that_exist(topology):
    created = {t.name for t in topology.topics()}
    groups = {g.name: (s.name, g) for s in topology.services.values() for g in s.consumer_groups}
    assert {"trade-accounts.identity-users", "trade-accounts.ctpat-security-models"} <= set(groups)
    for name, (service, group) in groups.items():
        assert name.startswith(f"{service}."), f"group {name} is not named for {service}"
        assert group.topics and set(group.topics) <= created, name
        assert not any(t.endswith(".dlq") for t in group.topics), name


def test_every_running_service_has_its_folder_and_its_processes(topology):
    for service in topology.running():
        folder = REPO / ("gateway" if service.edge else "web" if service.web else f"services/{service.name}")
        assert (folder / "src" / service.package / "__main__.py").is_file(), service.name
        if service.web:  # pages only: no database, nothing to migrate
            assert not service.database and set(service.processes) == {"api"}
            continue
        assert service.database, service.name
        assert "api" in service.processes and "migrate" in service.processes, service.name
    assert all(s.built for s in topology.services.values())


def test_the_kafka_topic_list_is_the_topologys(topology):
    lines = _render("topics").split("\n")
    assert [line.split() for line in lines if line] == [
        [t.name, str(t.partitions)] for t in topology.topics()
    ]


def test_env_sh_gets_every_address_from_the_topology(topology):
    script = f'eval "$({shlex.quote(sys.executable)} -S {RENDER} env)"; ' + (
        'echo "$IDENTITY_PORT|$PORTAL_TRADE_ACCOUNTS_URL|$PORTAL_GATEWAY_URL|$CTPAT_DATABASE_URL|'
        '$PORTAL_SERVICE_DBS"; echo "$_portal_upstreams"'
    )
    environ = {**_clean_environ(), "PORTAL_PG_HOST": "127.0.0.1", "PORTAL_PG_PORT": "15432",
               "TRADE_ACCOUNTS_PORT": "9102", "PORTAL_INSTANCES_IDENTITY": "2"}
    scalars, table = subprocess.run(
        ["sh", "-uc", script], check=True, capture_output=True, text=True, env=environ
    ).stdout.splitlines()
    assert scalars.split("|") == [
        "8101", "http://127.0.0.1:9102", "http://127.0.0.1:8080",
        "postgresql+asyncpg://ctpat:ctpat@127.0.0.1:15432/ctpat",
        " ".join(s.database for s in topology.services.values() if s.database),
    ]
    # The gateway's table follows a moved port and an instance count.
    assert json.loads(table) == topology.upstreams(environ) == {
        "identity": ["http://127.0.0.1:8101", "http://127.0.0.1:8201"],
        "trade-accounts": ["http://127.0.0.1:9102"],
        "ctpat": ["http://127.0.0.1:8103"],
        "svi": ["http://127.0.0.1:8104"],
        "documents": ["http://127.0.0.1:8105"],
        "messaging": ["http://127.0.0.1:8106"],
    }


def test_each_instance_gets_its_own_port(topology):
    environ = {**_clean_environ(), "PORTAL_INSTANCES_TRADE_ACCOUNTS_WORKER": "3"}
    lines = [line.split("\t") for line in _render("processes", "--python", "py", environ=environ).splitlines()]
    workers = [(inst, ready, argv) for name, inst, ready, argv in lines if name == "trade-accounts-worker"]
    assert [(inst, ready) for inst, ready, _ in workers] == [
        ("0", "http://127.0.0.1:8112/health/live"),
        ("1", "http://127.0.0.1:8212/health/live"),
        ("2", "http://127.0.0.1:8312/health/live"),
    ]
    assert shlex.split(workers[2][2]) == [
        "env", "TRADE_ACCOUNTS_HOST=127.0.0.1", "TRADE_ACCOUNTS_WORKER_HEALTH_PORT=8312",
        "py", "-m", "trade_accounts", "work",
    ]
    names = [name for name, *_ in lines]
    # Each service migrates before its processes start; the gateway comes last; nothing unbuilt runs.
    assert names.index("identity-migrate") < names.index("identity") < names.index("identity-worker")
    assert names.index("ctpat-migrate") < names.index("ctpat") < names.index("ctpat-worker")
    assert names.index("svi-migrate") < names.index("svi") < names.index("svi-worker")
    assert names.index("documents-migrate") < names.index("documents") < names.index("documents-worker")
    assert names.index("messaging-migrate") < names.index("messaging") < names.index("messaging-worker")
    assert names[-1] == "gateway" and names.index("web") < names.index("gateway")


def test_the_gateway_sends_pages_to_the_web_client_and_never_routes_api_calls_to_it(topology):
    script = f'eval "$({shlex.quote(sys.executable)} -S {RENDER} env)"; echo "$GATEWAY_WEB_UPSTREAM"; echo "$_portal_upstreams"'
    environ = {**_clean_environ(), "PORTAL_PG_HOST": "127.0.0.1", "PORTAL_PG_PORT": "15432", "WEB_PORT": "9090"}
    web, table = subprocess.run(
        ["sh", "-uc", script], check=True, capture_output=True, text=True, env=environ
    ).stdout.splitlines()
    assert web == "http://127.0.0.1:9090"
    assert "web" not in json.loads(table)
    assert topology.web_upstream({"WEB_PORT": "9090"}) == "http://127.0.0.1:9090"
