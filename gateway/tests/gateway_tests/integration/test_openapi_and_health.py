"""The merged OpenAPI document and the upstream health report."""

from __future__ import annotations

import pytest


async def test_merged_openapi_has_every_reachable_service(gateway):
    response = await gateway.get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    paths = doc["paths"]
    assert "/api/echo/widgets" in paths
    assert "/api/echo-two/widgets" in paths
    assert "/api/identity/sessions" in paths
    assert "/auth/login" in paths and "/health/ready" in paths
    schemas = doc["components"]["schemas"]
    # The same schema name from two services does not clash.
    assert {"Echo_Widget", "EchoTwo_Widget", "Echo_WidgetPage", "Identity_SignIn"} <= set(schemas)
    ok = paths["/api/echo/widgets"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"] == "#/components/schemas/Echo_WidgetPage"
    assert schemas["Echo_WidgetPage"]["properties"]["items"]["items"]["$ref"] == (
        "#/components/schemas/Echo_Widget"
    )
    assert paths["/api/echo/widgets"]["get"]["tags"] == ["echo/widgets"]
    # Operation ids are prefixed too, so generated clients get one method per service.
    assert paths["/api/echo/widgets"]["get"]["operationId"] == "echo_widgets_widgets_get"
    assert paths["/api/echo-two/widgets"]["get"]["operationId"] == "echo_two_widgets_widgets_get"
    assert doc["x-upstreams"] == {"down": "unreachable", "echo": "ok", "echo-two": "ok",
                                  "identity": "ok"}
    assert not any(p.startswith("/api/down") for p in paths)


async def test_merged_openapi_is_cached(gateway, echo_service):
    first = await gateway.get("/openapi.json")
    second = await gateway.get("/openapi.json")
    assert first.content == second.content


@pytest.mark.req("PL-06")
async def test_health_reports_each_upstream_and_stays_ready(gateway):
    assert (await gateway.get("/health/live")).json() == {"status": "ok"}
    response = await gateway.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "upstreams": {"down": "unreachable", "echo": "ok", "echo-two": "ok", "identity": "ok"},
    }
