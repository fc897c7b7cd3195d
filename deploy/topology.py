#!/usr/bin/env python3
"""deploy/topology.py — render deploy/topology.toml for the shell scripts.

    python3 deploy/topology.py env                   sh lines for deploy/local/env.sh to eval
    python3 deploy/topology.py processes [--python P] [NAME | NAME.i ...]
                                                     one line per process instance to start:
                                                     name, instance (- for a one-shot step),
                                                     readiness URL (-), shell-quoted argv
    python3 deploy/topology.py topics                "<topic> <partitions>" per line (kafka.sh)
    python3 deploy/topology.py upstreams             the gateway's table, as JSON
    python3 deploy/topology.py names                 the running processes, in start order
    python3 deploy/topology.py show                  a table for people

Runs on the machine's python3 (3.11, standard library only) before the
virtualenv exists: the model is libs/servicekit's `servicekit.topology`,
imported from the source tree. The environment overrides the file (see the
header of deploy/topology.toml); this script only reads it.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "libs" / "servicekit" / "src"))

from servicekit.topology import Process, Topology, TopologyError, load  # noqa: E402

VERBS = {"api": "serve", "worker": "work", "migrate": "migrate"}


def render_env(topology: Topology) -> str:
    """POSIX sh: each variable keeps a value it already has, as env.sh promises."""
    lines = [
        "# rendered from deploy/topology.toml by deploy/topology.py env",
        _default("PORTAL_HOST", topology.host),
        _default("PORTAL_PORT_STEP", str(topology.port_step)),
    ]
    databases = [s.database for s in topology.services.values() if s.database]
    lines.append(_default("PORTAL_SERVICE_DBS", " ".join(databases)))
    table = []
    for service in topology.services.values():
        for process in service.processes.values():
            if process.port_variable:
                lines.append(_default(process.port_variable, str(process.port)))
        if service.api is not None:
            lines.append(_default(
                service.url_variable, f"http://$PORTAL_HOST:${service.api.port_variable}"
            ))
        if service.database:
            db = service.database
            lines.append(_default(
                f"{service.env_prefix}_DATABASE_URL",
                f"postgresql+asyncpg://{db}:{db}@$PORTAL_PG_HOST:$PORTAL_PG_PORT/{db}",
            ))
        if service.built and service.web and service.api is not None:
            # The gateway sends every page and asset to the web client's first instance.
            lines.append(_default("GATEWAY_WEB_UPSTREAM", f"${service.url_variable}"))
        if service.built and not service.edge and not service.web and service.api is not None:
            # Shell expressions, so the table follows a port moved by a variable.
            api = service.api
            urls = [f"${service.url_variable}"] + [
                f"http://$PORTAL_HOST:$(({api.port_variable} + {i} * PORTAL_PORT_STEP))"
                for i in range(1, topology.instances(api, os.environ))
            ]
            table.append(f'\\"{service.name}\\": [' + ", ".join(f'\\"{u}\\"' for u in urls) + "]")
    # Built outside ${...:-...}: a brace inside one would end the expansion early.
    lines.append('_portal_upstreams="{' + ", ".join(table) + '}"')
    return "\n".join(lines) + "\n"


def _default(name: str, value: str) -> str:
    return f'export {name}="${{{name}:-{value}}}"'


def launches(topology: Topology, python: str, wanted: list[str]) -> list[str]:
    environ = os.environ
    host = topology.resolved_host(environ)
    lines = []
    for service in topology.running():
        for process in service.processes.values():
            count = topology.instances(process, environ)
            for instance in range(count):
                label = process.name if process.runs_once else f"{process.name}.{instance}"
                if wanted and process.name not in wanted and label not in wanted:
                    continue
                env = {}
                ready = "-"
                if process.port_variable:
                    port = topology.port(process, instance, environ)
                    env[f"{service.env_prefix}_HOST"] = host
                    env[process.port_variable] = str(port)
                    if process.ready_path:
                        ready = f"http://{host}:{port}{process.ready_path}"
                if service.edge and process.role == "api":
                    # Passed explicitly so that services.sh sees a changed table as a
                    # changed command line, and restarts the gateway.
                    env["GATEWAY_UPSTREAMS"] = environ.get("GATEWAY_UPSTREAMS") or json.dumps(
                        topology.upstreams(environ)
                    )
                argv = ["env", *(f"{k}={v}" for k, v in env.items()),
                        python, "-m", service.package, VERBS[process.role]]
                instance_field = "-" if process.runs_once else str(instance)
                lines.append("\t".join((process.name, instance_field, ready, shlex.join(argv))))
    return lines


def process_names(topology: Topology) -> list[str]:
    return [p.name for s in topology.running() for p in s.processes.values()]


def show(topology: Topology) -> str:
    environ = os.environ
    rows = []
    for service in topology.services.values():
        state = "" if service.built else "  (not built: nothing starts)"
        rows.append(f"{service.name}{state}  database={service.database or '-'}")
        for process in service.processes.values():
            rows.append("  " + _describe(topology, process, environ))
        for topic in service.publishes:
            rows.append(f"  publishes {topic.name} ({topic.partitions} partitions, + .dlq)")
        for group in service.consumer_groups:
            rows.append(f"  consumer group {group.name}: {', '.join(group.topics)}")
    return "\n".join(rows) + "\n"


def _describe(topology: Topology, process: Process, environ) -> str:
    if process.runs_once:
        return f"{process.name}: runs once before the others"
    count = topology.instances(process, environ)
    ports = ", ".join(str(topology.port(process, i, environ)) for i in range(count))
    what = "port" if process.role == "api" else "health port"
    return (f"{process.name}: {count} instance(s), {what} {ports}, ready {process.ready_path}"
            f"  [{process.instances_variable}, {process.port_variable}]")


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    verb, rest = argv[0], argv[1:]
    try:
        topology = load(os.environ.get("PORTAL_TOPOLOGY_FILE") or REPO / "deploy" / "topology.toml")
        if verb == "env":
            sys.stdout.write(render_env(topology))
        elif verb == "processes":
            python = "python"
            if rest[:1] == ["--python"]:
                python, rest = rest[1], rest[2:]
            unknown = [w for w in rest if w.split(".")[0] not in process_names(topology)]
            if unknown:
                print(f"topology: no process named {', '.join(unknown)} "
                      f"(running: {' '.join(process_names(topology))})", file=sys.stderr)
                return 2
            print("\n".join(launches(topology, python, rest)))
        elif verb == "names":
            print("\n".join(process_names(topology)))
        elif verb == "topics":
            print("\n".join(f"{t.name} {t.partitions}" for t in topology.topics()))
        elif verb == "upstreams":
            print(json.dumps(topology.upstreams(os.environ)))
        elif verb == "show":
            sys.stdout.write(show(topology))
        else:
            print(f"topology: unknown verb {verb!r}\n{__doc__}", file=sys.stderr)
            return 2
    except TopologyError as exc:
        print(f"topology: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
