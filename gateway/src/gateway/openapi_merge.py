"""One OpenAPI document for the whole portal, merged from each reachable service's own.

Each service's paths appear under `/api/<service>`, as clients call them
through the gateway. Component names are prefixed with the service's (so
identity's `UserOut` becomes `Identity_UserOut`) and every `$ref`, security
requirement and discriminator mapping is rewritten to match, so two services
may use the same schema name without clashing. Operation ids and tags are
prefixed the same way. A service that does not answer is left out and named
in `x-upstreams`. The merged document is kept for `cache_seconds`.

Through the gateway every operation can also answer what the gateway itself
answers before or instead of the service (`GATEWAY_PROBLEMS`): 401 for a
bearer token it cannot verify (even where the service needs none), 403 for an
unsafe request from a browser session without its CSRF token, 429 past a rate
limit, 502/503/504 when the service cannot answer. Each is documented as a
problem (`#/components/schemas/Problem`, the gateway's own).
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_UNSAFE_METHODS = ("put", "post", "delete", "patch")
_COMPONENTS = "#/components/"
_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}

GATEWAY_PROBLEMS: dict[str, str] = {
    "401": "No valid bearer access token, or the browser session has ended",
    "429": "Too many requests from this address or user; see Retry-After",
    "502": "The service cannot be reached",
    "503": "The service is busy, or signing in is unavailable; see Retry-After",
    "504": "The service did not answer in time",
}
CSRF_PROBLEM = "A browser session's unsafe request without its X-CSRF-Token"


def add_gateway_problems(method: str, operation: dict[str, Any]) -> None:
    """What the gateway can answer for any operation it proxies, beside what the service documents."""
    responses = operation.setdefault("responses", {})
    problems = dict(GATEWAY_PROBLEMS)
    if method in _UNSAFE_METHODS:
        problems["403"] = CSRF_PROBLEM
    for status, description in problems.items():
        responses.setdefault(status, {"description": description, "content": _PROBLEM})
    operation["responses"] = dict(sorted(responses.items()))


def component_prefix(service: str) -> str:
    """`trade-accounts` -> `TradeAccounts_`."""
    words = service.replace("_", "-").split("-")
    return "".join(w[:1].upper() + w[1:] for w in words if w) + "_"


def _rewrite_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_COMPONENTS):
                section, _, name = value[len(_COMPONENTS):].partition("/")
                out[key] = f"{_COMPONENTS}{section}/{prefix}{name}"
            elif key == "discriminator" and isinstance(value, dict):
                out[key] = _rewrite_discriminator(value, prefix)
            else:
                out[key] = _rewrite_refs(value, prefix)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, prefix) for item in node]
    return node


def _rewrite_discriminator(discriminator: dict[str, Any], prefix: str) -> dict[str, Any]:
    out = dict(discriminator)
    mapping = discriminator.get("mapping")
    if isinstance(mapping, dict):
        out["mapping"] = {
            k: _rewrite_refs({"$ref": v}, prefix)["$ref"] if isinstance(v, str) else v
            for k, v in mapping.items()
        }
    return out


def _rename_security(requirements: Any, prefix: str) -> Any:
    if not isinstance(requirements, list):
        return requirements
    return [
        {prefix + name: scopes for name, scopes in req.items()} if isinstance(req, dict) else req
        for req in requirements
    ]


def _prefix_link_targets(operation: dict[str, Any], op_prefix: str) -> None:
    for response in (operation.get("responses") or {}).values():
        for link in (response.get("links") or {}).values() if isinstance(response, dict) else ():
            if isinstance(link, dict) and "operationId" in link:
                link["operationId"] = op_prefix + str(link["operationId"])


def prefix_service_document(service: str, document: dict[str, Any]) -> dict[str, Any]:
    """A service's document as seen through the gateway: paths, components, tags, prefixed."""
    prefix = component_prefix(service)
    op_prefix = service.replace("-", "_") + "_"
    doc = _rewrite_refs(document, prefix)
    default_security = doc.get("security")

    paths: dict[str, Any] = {}
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        item = dict(item)
        item.pop("servers", None)
        for method in _HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            operation = dict(operation)
            if "operationId" in operation:
                operation["operationId"] = op_prefix + str(operation["operationId"])
            _prefix_link_targets(operation, op_prefix)
            operation["tags"] = [f"{service}/{t}" for t in operation.get("tags") or []] or [service]
            if "security" in operation:
                operation["security"] = _rename_security(operation["security"], prefix)
            elif default_security is not None:
                operation["security"] = _rename_security(default_security, prefix)
            operation.pop("servers", None)
            add_gateway_problems(method, operation)
            item[method] = operation
        paths[f"/api/{service}{path if path.startswith('/') else '/' + path}"] = item

    components: dict[str, dict[str, Any]] = {}
    for section, entries in (doc.get("components") or {}).items():
        if isinstance(entries, dict):
            components[section] = {prefix + name: value for name, value in entries.items()}

    tags = [
        {**tag, "name": f"{service}/{tag['name']}"}
        for tag in doc.get("tags") or []
        if isinstance(tag, dict) and "name" in tag
    ]
    return {"paths": paths, "components": components, "tags": tags}


def merge_documents(
    gateway_document: dict[str, Any],
    service_documents: dict[str, dict[str, Any]],
    upstream_status: dict[str, str],
) -> dict[str, Any]:
    merged = copy.deepcopy(gateway_document)
    merged["info"] = {
        "title": "C-TPAT Portal API",
        "version": gateway_document.get("info", {}).get("version", "1.0.0"),
        "description": (
            "Every portal service, as reached through the gateway: `/api/<service>/...`. "
            "API clients send `Authorization: Bearer <access token>`; browsers sign in at "
            "`/auth/login` and send the `X-CSRF-Token` header on unsafe methods."
        ),
    }
    paths = merged.setdefault("paths", {})
    components = merged.setdefault("components", {})
    tags = merged.setdefault("tags", [])
    for service in sorted(service_documents):
        part = prefix_service_document(service, service_documents[service])
        paths.update(part["paths"])
        for section, entries in part["components"].items():
            components.setdefault(section, {}).update(entries)
        tags.extend(part["tags"])
    if not tags:
        merged.pop("tags")
    if not components:
        merged.pop("components")
    merged["x-upstreams"] = dict(sorted(upstream_status.items()))
    return merged


class MergedOpenApi:
    """Fetches, merges and caches; concurrent callers share one fetch."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        upstreams: dict[str, list[str]],
        gateway_document: Callable[[], dict[str, Any]],
        *,
        cache_seconds: float,
        timeout_seconds: float,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._upstreams = upstreams
        self._gateway_document = gateway_document
        self._cache_seconds = cache_seconds
        self._timeout = timeout_seconds
        self._now = now
        self._cached: bytes | None = None
        self._cached_at = float("-inf")
        self._lock = asyncio.Lock()

    async def document(self) -> bytes:
        """The merged document as JSON bytes."""
        if self._cached is not None and self._now() - self._cached_at < self._cache_seconds:
            return self._cached
        async with self._lock:
            if self._cached is not None and self._now() - self._cached_at < self._cache_seconds:
                return self._cached
            names = list(self._upstreams)
            results = await asyncio.gather(*(self._fetch(self._upstreams[n]) for n in names))
            documents = {n: doc for n, (doc, _) in zip(names, results, strict=True) if doc}
            status = {n: state for n, (_, state) in zip(names, results, strict=True)}
            merged = merge_documents(self._gateway_document(), documents, status)
            self._cached = json.dumps(merged, separators=(",", ":")).encode()
            self._cached_at = self._now()
            return self._cached

    async def _fetch(self, base_urls: list[str]) -> tuple[dict[str, Any] | None, str]:
        """The document of the first instance that gives one (instances serve the same)."""
        for base_url in base_urls:
            document, state = await self._fetch_one(base_url)
            if document is not None:
                return document, state
        return None, state

    async def _fetch_one(self, base_url: str) -> tuple[dict[str, Any] | None, str]:
        try:
            response = await self._http.get(
                base_url.rstrip("/") + "/openapi.json", timeout=self._timeout
            )
        except httpx.TimeoutException:
            return None, "timeout"
        except httpx.HTTPError:
            return None, "unreachable"
        if response.status_code != 200:
            return None, f"answered {response.status_code}"
        try:
            document = response.json()
        except ValueError:
            return None, "invalid document"
        if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
            return None, "invalid document"
        return document, "ok"
