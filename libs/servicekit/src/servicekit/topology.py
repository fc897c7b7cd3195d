"""The portal's topology (deploy/topology.toml): services, processes, ports, databases, topics, groups.

Standard library only: deploy/topology.py runs this module with the machine's
python3 (3.11, for tomllib) before the project's virtualenv exists, to render
what the shell scripts need. Code reads it too, e.g. the gateway's default
upstream table, or a worker naming its consumer groups:

    topology = load()
    topology.services["trade-accounts"].consumer_group("trade-accounts.identity-users").topics

The file holds defaults; the environment overrides them, with the names the
processes themselves read (`IDENTITY_PORT`, `PORTAL_INSTANCES_IDENTITY`, ...),
so everything that resolves an address takes an `environ` mapping.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROLES = ("migrate", "api", "worker")  # also the start order within a service


class TopologyError(ValueError):
    """The topology file is malformed or contradicts itself."""


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int


@dataclass(frozen=True)
class ConsumerGroup:
    name: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Process:
    service: str
    role: str
    # The API's HTTP port, or the worker's health server's; instance 0's.
    port: int | None
    # Path answering 2xx once an instance is ready (None: no server).
    ready_path: str | None
    instances: int

    @property
    def name(self) -> str:
        return self.service if self.role == "api" else f"{self.service}-{self.role}"

    @property
    def runs_once(self) -> bool:
        return self.role == "migrate"

    @property
    def port_variable(self) -> str | None:
        """The setting the process reads its port from."""
        prefix = _env_name(self.service)
        return {"api": f"{prefix}_PORT", "worker": f"{prefix}_WORKER_HEALTH_PORT"}.get(self.role)

    @property
    def instances_variable(self) -> str:
        return f"PORTAL_INSTANCES_{_env_name(self.name)}"


@dataclass(frozen=True)
class Service:
    name: str
    # False: planned, not written yet; ports reserved and topics created, nothing runs.
    built: bool
    # The gateway: the entry point that routes to the others, never routed to itself.
    edge: bool
    # The web client: the gateway sends it every path outside /api/ and its own.
    web: bool
    database: str | None
    processes: dict[str, Process]
    publishes: tuple[Topic, ...]
    consumer_groups: tuple[ConsumerGroup, ...]

    @property
    def package(self) -> str:
        return self.name.replace("-", "_")

    @property
    def env_prefix(self) -> str:
        return _env_name(self.name)

    @property
    def url_variable(self) -> str:
        return f"PORTAL_{self.env_prefix}_URL"

    @property
    def api(self) -> Process | None:
        return self.processes.get("api")

    def consumer_group(self, name: str) -> ConsumerGroup:
        for group in self.consumer_groups:
            if group.name == name:
                return group
        raise KeyError(f"{self.name} has no consumer group {name!r}")


@dataclass(frozen=True)
class Topology:
    host: str
    port_step: int
    dlq_partitions: int
    services: dict[str, Service]  # in start order

    def running(self) -> list[Service]:
        return [s for s in self.services.values() if s.built]

    def topics(self) -> list[Topic]:
        """Every topic to create: each published one, then its dead-letter twin."""
        topics = []
        for service in self.services.values():
            for topic in service.publishes:
                topics += (topic, Topic(f"{topic.name}.dlq", self.dlq_partitions))
        return topics

    def consumer_groups(self) -> list[ConsumerGroup]:
        return [g for s in self.services.values() for g in s.consumer_groups]

    # --- resolved against the environment --------------------------------------

    def resolved_host(self, environ: Mapping[str, str]) -> str:
        return environ.get("PORTAL_HOST") or self.host

    def instances(self, process: Process, environ: Mapping[str, str]) -> int:
        value = environ.get(process.instances_variable)
        if not value:
            return process.instances
        try:
            count = int(value)
        except ValueError:
            raise TopologyError(f"{process.instances_variable}={value!r} is not a number") from None
        if count < 1 or (process.runs_once and count != 1):
            raise TopologyError(f"{process.instances_variable}={count}: out of range")
        return count

    def port(self, process: Process, instance: int, environ: Mapping[str, str]) -> int:
        """Instance i listens on the process's port + i × port step."""
        if process.port is None:
            raise TopologyError(f"{process.name} has no port")
        base = int(environ.get(process.port_variable or "") or process.port)
        step = int(environ.get("PORTAL_PORT_STEP") or self.port_step)
        return base + instance * step

    def base_urls(self, service: Service, environ: Mapping[str, str]) -> list[str]:
        """The base URL of each of the service's API instances; PORTAL_<SERVICE>_URL, when
        set, is instance 0's (a service running elsewhere)."""
        api = service.api
        if api is None:
            return []
        host = self.resolved_host(environ)
        urls = [
            f"http://{host}:{self.port(api, i, environ)}"
            for i in range(self.instances(api, environ))
        ]
        urls[0] = environ.get(service.url_variable) or urls[0]
        return urls

    def upstreams(self, environ: Mapping[str, str]) -> dict[str, list[str]]:
        """The gateway's table: every running service's API instances."""
        return {
            s.name: self.base_urls(s, environ)
            for s in self.running()
            if not s.edge and not s.web and s.api is not None
        }

    def web_upstream(self, environ: Mapping[str, str]) -> str | None:
        """The web client's first API instance: where the gateway sends pages and assets."""
        for service in self.running():
            if service.web and service.api is not None:
                return self.base_urls(service, environ)[0]
        return None


def default_path() -> Path | None:
    """PORTAL_TOPOLOGY_FILE, else deploy/topology.toml of the checkout this module lives in."""
    if os.environ.get("PORTAL_TOPOLOGY_FILE"):
        return Path(os.environ["PORTAL_TOPOLOGY_FILE"])
    if os.environ.get("PORTAL_REPO_DIR"):
        candidate = Path(os.environ["PORTAL_REPO_DIR"]) / "deploy" / "topology.toml"
        if candidate.is_file():
            return candidate
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "deploy" / "topology.toml"
        if candidate.is_file():
            return candidate
    return None  # an installed package without its checkout: a deployment configures itself


def load(path: Path | str | None = None) -> Topology:
    path = Path(path) if path is not None else default_path()
    if path is None:
        raise TopologyError("no deploy/topology.toml found (set PORTAL_TOPOLOGY_FILE)")
    with open(path, "rb") as file:
        try:
            return parse(tomllib.load(file))
        except tomllib.TOMLDecodeError as exc:
            raise TopologyError(f"{path}: {exc}") from None


def parse(data: dict) -> Topology:
    _only(data, "topology", {"host", "port_step", "dlq_partitions", "services"})
    services = {name: _service(name, entry) for name, entry in data.get("services", {}).items()}
    topology = Topology(
        host=str(data.get("host", "127.0.0.1")),
        port_step=int(data.get("port_step", 100)),
        dlq_partitions=int(data.get("dlq_partitions", 1)),
        services=services,
    )
    _check(topology)
    return topology


def _service(name: str, entry: dict) -> Service:
    where = f"services.{name}"
    _only(entry, where, {"built", "edge", "web", "database", "processes", "publishes", "consumer_groups"})
    processes = {}
    for role in ROLES:  # the file's order does not matter: migrate, api, worker
        if role in entry.get("processes", {}):
            processes[role] = _process(name, role, entry["processes"][role])
    unknown = set(entry.get("processes", {})) - set(ROLES)
    if unknown:
        raise TopologyError(f"{where}.processes: unknown roles {sorted(unknown)} (known: {ROLES})")
    publishes = []
    for topic in entry.get("publishes", []):
        _only(topic, f"{where}.publishes", {"topic", "partitions"})
        publishes.append(Topic(topic["topic"], int(topic["partitions"])))
    groups = []
    for group in entry.get("consumer_groups", []):
        _only(group, f"{where}.consumer_groups", {"name", "topics"})
        groups.append(ConsumerGroup(group["name"], tuple(group["topics"])))
    return Service(
        name=name,
        built=bool(entry.get("built", True)),
        edge=bool(entry.get("edge", False)),
        web=bool(entry.get("web", False)),
        database=entry.get("database"),
        processes=processes,
        publishes=tuple(publishes),
        consumer_groups=tuple(groups),
    )


def _process(service: str, role: str, entry: dict) -> Process:
    where = f"services.{service}.processes.{role}"
    _only(entry, where, {"port", "ready", "instances"})
    port = entry.get("port")
    if role != "migrate" and port is None:
        raise TopologyError(f"{where}: a long-running process needs a port (its health server)")
    instances = int(entry.get("instances", 1))
    if instances < 1 or (role == "migrate" and instances != 1):
        raise TopologyError(f"{where}: instances={instances} out of range")
    return Process(service, role, port, entry.get("ready"), instances)


def _check(topology: Topology) -> None:
    ports: dict[int, str] = {}
    for service in topology.services.values():
        for process in service.processes.values():
            if process.port is None:
                continue
            if process.port in ports:
                raise TopologyError(f"port {process.port}: both {ports[process.port]} and {process.name}")
            ports[process.port] = process.name
    names = [t.name for t in topology.topics()]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise TopologyError(f"topics published twice: {duplicates}")
    groups = [g.name for g in topology.consumer_groups()]
    if len(groups) != len(set(groups)):
        raise TopologyError("a consumer group name is used twice")
    for group in topology.consumer_groups():
        missing = sorted(set(group.topics) - set(names))
        if missing:
            raise TopologyError(f"consumer group {group.name} reads unpublished topics {missing}")
    if sum(s.edge for s in topology.services.values()) > 1:
        raise TopologyError("only one service can be the edge (the gateway)")
    if sum(s.web for s in topology.services.values()) > 1:
        raise TopologyError("only one service can be the web client")


def _only(entry: dict, where: str, allowed: set[str]) -> None:
    unknown = set(entry) - allowed
    if unknown:
        raise TopologyError(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(allowed)})")


def _env_name(name: str) -> str:
    return name.upper().replace("-", "_")
