"""The OpenAPI 3.1 document, built from the app's own routes so it cannot drift from them:
every route and method the app serves is described here (``tests/http`` checks both ways).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import falcon

from commerce_core.pagination import MAX_PAGE
from commerce_core.validation import MAX_ID

METHODS = ("get", "post", "put", "delete")
_FIELD = re.compile(r"{(\w+)(?::int(?:\([^)]*\))?)?}")

_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_MONEY = {"type": ["number", "string"]}
_ADDRESS = {"type": "object", "required": ["line1", "city", "postal_code", "country"],
            "properties": {"line1": {"type": "string"}, "line2": {"type": "string"},
                           "city": {"type": "string"}, "region": {"type": "string"},
                           "postal_code": {"type": "string"},
                           "country": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                           "name": {"type": "string"}}}


def _obj(required: Iterable[str] = (), **properties: Any) -> dict[str, Any]:
    # unknown fields are refused (params.body), so the document says so
    return {"type": "object", "required": list(required), "properties": properties,
            "additionalProperties": False}


_STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}
_TEXTS = {"type": "array", "items": {"type": "string"}}
_PAGE = [("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
         ("limit", {"type": "integer", "minimum": 1, "maximum": 100})]

# (path, method) -> summary, needs a token, query parameters, request body, success status
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("/metrics", "get"): {"summary": "Prometheus metrics", "auth": False, "envelope": False,
                          "content": "text/plain"},
    ("/openapi.json", "get"): {"summary": "This document", "auth": False,
                               "envelope": False},
}

_ERROR = {"type": "object", "required": ["status", "error"],
          "properties": {"status": {"const": "error"},
                         "error": _obj(["code", "message", "details"],
                                       code={"type": "string"}, message={"type": "string"},
                                       details={"type": "object"})}}
_SUCCESS = {"type": "object", "required": ["status", "data"],
            "properties": {"status": {"const": "success"}, "data": {}}}


def needs_token(template: str, method: str) -> bool:
    """Whether the operation at a Falcon route template is for signed-in callers."""
    spec = OPERATIONS.get((_FIELD.sub(r"{\1}", template), method))
    return spec is not None and spec.get("auth", True)


def body_fields(template: str, method: str) -> frozenset[str] | None:
    """The top-level fields an operation's body declares; None when it declares none (the
    body is then read raw or not at all)."""
    spec = OPERATIONS.get((_FIELD.sub(r"{\1}", template), method), {})
    properties = spec.get("body", {}).get("properties")
    return None if properties is None else frozenset(properties)


def document(routes: Iterable[tuple[str, object]]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``routes`` (Falcon templates and their resources)."""
    paths: dict[str, dict[str, Any]] = {}
    for template, resource in routes:
        path = _FIELD.sub(r"{\1}", template)
        for method in METHODS:
            if hasattr(resource, f"on_{method}"):
                paths.setdefault(path, {})[method] = _operation(path, method)
    return {"openapi": "3.1.0",
            "info": {"title": "commerce-sdk API", "version": "1"},
            "paths": paths,
            "components": {"securitySchemes": {"bearer": {"type": "http",
                                                          "scheme": "bearer",
                                                          "bearerFormat": "JWT"}}}}


def _operation(path: str, method: str) -> dict[str, Any]:
    spec = OPERATIONS[(path, method)]  # KeyError: a route nobody described
    parameters = [{"name": name, "in": "path", "required": True, "schema": _ID}
                  for name in _FIELD.findall(path)]
    parameters += [{"name": name, "in": "query", "required": False, "schema": schema}
                   for name, schema in spec.get("query", [])]
    status = spec.get("status", "200")
    if status == "204":
        success: dict[str, Any] = {"description": "done"}
    elif spec.get("content") == "text/plain":
        success = {"description": "ok", "content": {"text/plain": {"schema": {
            "type": "string"}}}}
    else:
        schema = _SUCCESS if spec.get("envelope", True) else {"type": "object"}
        success = {"description": "ok", "content": {"application/json": {"schema": schema}}}
    operation: dict[str, Any] = {
        "summary": spec["summary"], "operationId": f"{method}_{path}",
        "parameters": parameters,
        "responses": {status: success, "default": {
            "description": "an error", "content": {"application/json": {"schema": _ERROR}}}}}
    if spec.get("auth", True):
        operation["security"] = [{"bearer": []}]
    if "body" in spec:  # a body with no required field may be left out altogether
        operation["requestBody"] = {"required": bool(spec["body"].get("required")),
                                    "content": {
            "application/json": {"schema": spec["body"]}}}
    return operation


class OpenApi:
    def __init__(self, spec: dict[str, Any]) -> None:
        self._spec = spec

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self._spec

