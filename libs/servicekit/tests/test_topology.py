"""servicekit.topology: reading the topology, and resolving it against the environment."""

from __future__ import annotations

import pytest

from servicekit.topology import Topic, TopologyError, parse

MINIMAL = {
    "host": "127.0.0.1",
    "port_step": 100,
    "services": {
        "orders": {
            "database": "orders",
            "processes": {
                "worker": {"port": 9111, "ready": "/health/live", "instances": 2},
                "api": {"port": 9101, "ready": "/health/ready"},
                "migrate": {},
            },
            "publishes": [{"topic": "orders.order.v1", "partitions": 3}],
            "consumer_groups": [{"name": "orders.people", "topics": ["people.person.v1"]}],
        },
        "people": {
            "database": "people",
            "processes": {"api": {"port": 9102}},
            "publishes": [{"topic": "people.person.v1", "partitions": 1}],
        },
        "later": {"built": False, "processes": {"api": {"port": 9103}}},
        "gateway": {"edge": True, "processes": {"api": {"port": 9080}}},
    },
}


def _with(**service_changes) -> dict:
    data = {**MINIMAL, "services": {**MINIMAL["services"]}}
    data["services"]["orders"] = {**data["services"]["orders"], **service_changes}
    return data


def test_processes_start_migrate_api_worker_with_conventional_names():
    orders = parse(MINIMAL).services["orders"]
    assert [p.name for p in orders.processes.values()] == ["orders-migrate", "orders", "orders-worker"]
    assert orders.package == "orders"
    assert orders.processes["worker"].port_variable == "ORDERS_WORKER_HEALTH_PORT"
    assert orders.processes["worker"].instances_variable == "PORTAL_INSTANCES_ORDERS_WORKER"
    assert orders.consumer_group("orders.people").topics == ("people.person.v1",)


def test_topics_come_with_their_dead_letter_twins():
    assert parse(MINIMAL).topics() == [
        Topic("orders.order.v1", 3), Topic("orders.order.v1.dlq", 1),
        Topic("people.person.v1", 1), Topic("people.person.v1.dlq", 1),
    ]


def test_instances_and_ports_follow_the_environment():
    topology = parse(MINIMAL)
    worker = topology.services["orders"].processes["worker"]
    assert topology.instances(worker, {}) == 2
    assert [topology.port(worker, i, {}) for i in range(2)] == [9111, 9211]
    environ = {"PORTAL_INSTANCES_ORDERS_WORKER": "3", "ORDERS_WORKER_HEALTH_PORT": "7000",
               "PORTAL_PORT_STEP": "10"}
    assert topology.instances(worker, environ) == 3
    assert [topology.port(worker, i, environ) for i in range(3)] == [7000, 7010, 7020]
    with pytest.raises(TopologyError):
        topology.instances(worker, {"PORTAL_INSTANCES_ORDERS_WORKER": "0"})


def test_the_gateways_table_lists_running_services_instances_only():
    topology = parse(MINIMAL)
    assert topology.upstreams({}) == {"orders": ["http://127.0.0.1:9101"], "people": ["http://127.0.0.1:9102"]}
    environ = {"PORTAL_INSTANCES_ORDERS": "2", "PORTAL_PEOPLE_URL": "http://people.internal:80",
               "PORTAL_HOST": "10.0.0.5"}
    assert topology.upstreams(environ) == {
        "orders": ["http://10.0.0.5:9101", "http://10.0.0.5:9201"],
        "people": ["http://people.internal:80"],
    }


@pytest.mark.parametrize("data, complaint", [
    (_with(colour="blue"), "unknown keys"),
    (_with(processes={"api": {"port": 9102}}), "port 9102"),
    (_with(processes={"scheduler": {"port": 9999}}), "unknown roles"),
    (_with(processes={"worker": {}}), "needs a port"),
    (_with(processes={"migrate": {"instances": 2}}), "out of range"),
    (_with(consumer_groups=[{"name": "orders.x", "topics": ["nobody.v1"]}]), "unpublished topics"),
    (_with(publishes=[{"topic": "people.person.v1", "partitions": 1}]), "published twice"),
])
def test_a_contradiction_is_refused_when_read(data, complaint):
    with pytest.raises(TopologyError, match=complaint):
        parse(data)
