from __future__ import annotations

import json
import os

import pytest
from pydantic import ValidationError

from gateway.settings import GatewaySettings, default_upstreams
from gateway.upstream_pool import UpstreamAddress
from servicekit import topology


def test_upstreams_come_from_json_and_replace_the_defaults(monkeypatch):
    monkeypatch.setenv("GATEWAY_UPSTREAMS", '{"identity": "http://127.0.0.1:9101"}')
    monkeypatch.setenv("GATEWAY_PORT", "9080")
    monkeypatch.setenv("GATEWAY_CORS_ORIGINS", "https://portal.example/, http://x:1")
    monkeypatch.setenv("PORTAL_JWKS_URL", "http://127.0.0.1:9101/.well-known/jwks.json")
    settings = GatewaySettings()
    assert settings.upstreams == {"identity": ["http://127.0.0.1:9101"]}
    assert settings.port == 9080
    assert settings.cors_origin_list == ["https://portal.example", "http://x:1"]
    assert settings.jwks_url == "http://127.0.0.1:9101/.well-known/jwks.json"


def test_defaults(monkeypatch):
    for name in ("GATEWAY_UPSTREAMS", "GATEWAY_PORT", "GATEWAY_HOST", "GATEWAY_COOKIE_SECURE",
                 "GATEWAY_RATE_LIMIT_PER_SECOND", "GATEWAY_RATE_LIMIT_BURST"):
        monkeypatch.delenv(name, raising=False)
    settings = GatewaySettings()
    assert settings.upstreams == default_upstreams()
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.cookie_secure is True
    assert (settings.rate_limit_per_second, settings.rate_limit_burst) == (200, 400)


def test_an_upstream_may_list_its_instances(monkeypatch):
    monkeypatch.setenv("GATEWAY_UPSTREAMS", json.dumps({
        "identity": ["http://127.0.0.1:8101", "http://127.0.0.1:8201"],
        "trade-accounts": "http://127.0.0.1:8102",
    }))
    assert GatewaySettings().upstreams == {
        "identity": ["http://127.0.0.1:8101", "http://127.0.0.1:8201"],
        "trade-accounts": ["http://127.0.0.1:8102"],
    }


def test_an_upstream_without_instances_is_refused():
    with pytest.raises(ValidationError):
        GatewaySettings(upstreams={"identity": []})


def test_the_default_table_is_the_topologys_running_services(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("PORTAL_INSTANCES_", "PORTAL_IDENTITY", "IDENTITY_")) or name in (
            "PORTAL_HOST", "PORTAL_PORT_STEP"
        ):
            monkeypatch.delenv(name)
    running = {s.name for s in topology.load().running() if not s.edge and not s.web}
    assert set(default_upstreams()) == running and "identity" in running
    assert default_upstreams()["identity"] == ["http://127.0.0.1:8101"]
    monkeypatch.setenv("PORTAL_INSTANCES_IDENTITY", "3")
    assert default_upstreams()["identity"] == [
        "http://127.0.0.1:8101", "http://127.0.0.1:8201", "http://127.0.0.1:8301"]


@pytest.mark.parametrize("url, host, port, base, authority", [
    ("http://127.0.0.1:8101", "127.0.0.1", 8101, b"", b"127.0.0.1:8101"),
    ("http://svc/prefix/", "svc", 80, b"/prefix", b"svc"),
    ("https://svc:8443", "svc", 8443, b"", b"svc:8443"),
    ("http://[::1]:8101", "::1", 8101, b"", b"[::1]:8101"),
])
def test_upstream_addresses(url, host, port, base, authority):
    address = UpstreamAddress.parse(url)
    assert (address.host, address.port, address.base_path, address.authority) == (
        host, port, base, authority)


def test_an_upstream_url_must_be_http():
    with pytest.raises(ValueError):
        UpstreamAddress.parse("ftp://x")
