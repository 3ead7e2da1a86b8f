"""``/openapi.json`` and the two routes outside the contract (they are not JSON in the
envelope): the document itself and ``/metrics`` (Prometheus text)."""

from __future__ import annotations

from typing import Any

import falcon

SERVICE_PATHS: dict[str, dict[str, Any]] = {
    "/metrics": {"get": {
        "operationId": "metrics", "summary": "Prometheus metrics", "tags": ["service"],
        "parameters": [{"$ref": "#/components/parameters/RequestId"}],
        "responses": {"200": {"description": "Prometheus text exposition", "content": {
            "text/plain": {"schema": {"type": "string"}}}},
            "default": {"$ref": "#/components/responses/Error"}}}},
    "/openapi.json": {"get": {
        "operationId": "openapi", "summary": "This document", "tags": ["service"],
        "parameters": [{"$ref": "#/components/parameters/RequestId"}],
        "responses": {"200": {"description": "The OpenAPI 3.1 document", "content": {
            "application/json": {"schema": {"type": "object"}}}},
            "default": {"$ref": "#/components/responses/Error"}}}},
}


class OpenApi:
    def __init__(self, spec: dict[str, Any]) -> None:
        self._spec = spec

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self._spec
