from __future__ import annotations

import pytest

from gateway.settings import DEFAULT_UPSTREAMS, GatewaySettings
from gateway.upstream_pool import UpstreamAddress


def test_upstreams_come_from_json_and_replace_the_defaults(monkeypatch):
    monkeypatch.setenv("GATEWAY_UPSTREAMS", '{"identity": "http://127.0.0.1:9101"}')
    monkeypatch.setenv("GATEWAY_PORT", "9080")
    monkeypatch.setenv("GATEWAY_CORS_ORIGINS", "https://portal.example/, http://x:1")
    monkeypatch.setenv("PORTAL_JWKS_URL", "http://127.0.0.1:9101/.well-known/jwks.json")
    settings = GatewaySettings()
    assert settings.upstreams == {"identity": "http://127.0.0.1:9101"}
    assert settings.port == 9080
    assert settings.cors_origin_list == ["https://portal.example", "http://x:1"]
    assert settings.jwks_url == "http://127.0.0.1:9101/.well-known/jwks.json"


def test_defaults(monkeypatch):
    for name in ("GATEWAY_UPSTREAMS", "GATEWAY_PORT", "GATEWAY_HOST", "GATEWAY_COOKIE_SECURE",
                 "GATEWAY_RATE_LIMIT_PER_SECOND", "GATEWAY_RATE_LIMIT_BURST"):
        monkeypatch.delenv(name, raising=False)
    settings = GatewaySettings()
    assert settings.upstreams == DEFAULT_UPSTREAMS
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.cookie_secure is True
    assert (settings.rate_limit_per_second, settings.rate_limit_burst) == (200, 400)


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
