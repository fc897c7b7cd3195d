from __future__ import annotations

from gateway.openapi_merge import component_prefix, merge_documents, prefix_service_document

SERVICE_DOC = {
    "openapi": "3.1.0",
    "info": {"title": "ctpat", "version": "1"},
    "security": [{"HTTPBearer": []}],
    "tags": [{"name": "models", "description": "Security models"}],
    "paths": {
        "/models/{id}": {
            "get": {
                "operationId": "get_model",
                "tags": ["models"],
                "responses": {"200": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Model"}}}}},
            },
            "delete": {"operationId": "delete_model", "security": [], "responses": {}},
            "parameters": [{"$ref": "#/components/parameters/Id"}],
        },
    },
    "components": {
        "schemas": {
            "Model": {
                "oneOf": [{"$ref": "#/components/schemas/Importer"}],
                "discriminator": {"propertyName": "kind",
                                  "mapping": {"importer": "#/components/schemas/Importer"}},
            },
            "Importer": {"type": "object"},
        },
        "parameters": {"Id": {"name": "id", "in": "path"}},
        "securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}},
    },
}


def test_component_prefix_is_an_identifier():
    assert component_prefix("trade-accounts") == "TradeAccounts_"
    assert component_prefix("svi") == "Svi_"


def test_paths_components_and_refs_are_prefixed():
    part = prefix_service_document("ctpat", SERVICE_DOC)
    item = part["paths"]["/api/ctpat/models/{id}"]
    get = item["get"]
    assert get["operationId"] == "ctpat_get_model"
    assert get["tags"] == ["ctpat/models"]
    assert get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/Ctpat_Model"
    )
    assert item["parameters"] == [{"$ref": "#/components/parameters/Ctpat_Id"}]
    # The service-wide security requirement moves onto each operation, renamed.
    assert get["security"] == [{"Ctpat_HTTPBearer": []}]
    assert item["delete"]["security"] == []  # an explicit "public" stays public
    schemas = part["components"]["schemas"]
    assert set(schemas) == {"Ctpat_Model", "Ctpat_Importer"}
    model = schemas["Ctpat_Model"]
    assert model["oneOf"] == [{"$ref": "#/components/schemas/Ctpat_Importer"}]
    assert model["discriminator"]["mapping"] == {"importer": "#/components/schemas/Ctpat_Importer"}
    assert set(part["components"]["securitySchemes"]) == {"Ctpat_HTTPBearer"}
    assert part["tags"] == [{"name": "ctpat/models", "description": "Security models"}]


def test_the_source_document_is_not_modified():
    before = repr(SERVICE_DOC)
    prefix_service_document("ctpat", SERVICE_DOC)
    assert repr(SERVICE_DOC) == before


def test_merge_keeps_the_gateways_own_paths_and_reports_upstreams():
    gateway_doc = {"openapi": "3.1.0", "info": {"title": "gw", "version": "1.0.0"},
                   "paths": {"/auth/login": {"post": {}}},
                   "components": {"schemas": {"SignIn": {}}}}
    merged = merge_documents(gateway_doc, {"ctpat": SERVICE_DOC, "svi": SERVICE_DOC},
                             {"ctpat": "ok", "svi": "ok", "documents": "unreachable"})
    assert {"/auth/login", "/api/ctpat/models/{id}", "/api/svi/models/{id}"} <= set(
        merged["paths"])
    assert {"SignIn", "Ctpat_Model", "Svi_Model"} <= set(merged["components"]["schemas"])
    assert merged["x-upstreams"]["documents"] == "unreachable"
    assert merged["info"]["title"] == "C-TPAT Portal API"
    assert gateway_doc["paths"] == {"/auth/login": {"post": {}}}
