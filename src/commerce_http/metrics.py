"""Prometheus metrics: request latency and counts by route and status, checkout and payment
outcomes. One registry per app (no module state); ``GET /metrics`` renders it."""

from __future__ import annotations

import re
import time

import falcon
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest

_OUTCOMES = {  # (method, route) whose result is a business outcome worth counting
    ("POST", "/api/v1/orders"): "checkout",
    ("POST", "/api/v1/payments/{id}/process"): "payment",
}


_CONVERTER = re.compile(r":int(\([^)]*\))?}")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram("commerce_http_request_seconds", "Request latency",
                                 ["route", "method", "status"], registry=self.registry,
                                 buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
        self.requests = Counter("commerce_http_requests_total", "Requests answered",
                                ["route", "method", "status"], registry=self.registry)
        self.outcomes = Counter("commerce_outcomes_total",
                                "Checkouts and payments by outcome (HTTP status)",
                                ["kind", "status"], registry=self.registry)

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started = time.perf_counter()

    def process_response(self, req: falcon.Request, resp: falcon.Response,
                         resource: object, req_succeeded: bool) -> None:
        started = getattr(req.context, "started", None)
        if started is None:
            return
        # route templates, not paths, so labels stay few; converters left out
        route = _CONVERTER.sub("}", req.uri_template) if req.uri_template else "unmatched"
        status = str(resp.status_code)
        self.latency.labels(route, req.method, status).observe(time.perf_counter() - started)
        self.requests.labels(route, req.method, status).inc()
        kind = _OUTCOMES.get((req.method, route))
        if kind is not None:
            self.outcomes.labels(kind, status).inc()


class MetricsEndpoint:
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = CONTENT_TYPE_LATEST
        resp.data = generate_latest(self._metrics.registry)
