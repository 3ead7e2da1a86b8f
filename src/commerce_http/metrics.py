"""Prometheus metrics: request latency and counts by route and status, checkout and payment
outcomes. One registry per app (no module state); ``GET /metrics`` renders it. Under a
pre-fork server each worker counts in files of one shared directory (Prometheus multiprocess
mode), and ``/metrics`` sums them, so any worker answers for the whole server."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator

import falcon
from falcon.routing import CompiledRouter
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    multiprocess,
    values,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest

from commerce_core.search.indexer import IndexingStats

_OUTCOMES = {  # (method, route) whose result is a business outcome worth counting
    ("POST", "/api/v1/orders"): "checkout",
    ("POST", "/api/v1/payments/{id}/process"): "payment",
}


_CONVERTER = re.compile(r":int(\([^)]*\))?}")


def route_label(req: falcon.Request, router: CompiledRouter | None) -> str:
    """The request's route template (not its path, so labels stay few), converters left
    out; ``unmatched`` when no route has the path. Found once per request and kept."""
    label: str | None = getattr(req.context, "route_label", None)
    if label is not None:
        return label
    template = req.uri_template
    if template is None and router is not None:
        # refused in process_request (a 401, a 429), before Falcon routed it: look it up
        found = router.find(req.path)
        template = found[3] if found else None
    label = _CONVERTER.sub("}", template) if template else "unmatched"
    req.context.route_label = label
    return label


def count_across_processes(directory: str) -> None:
    """Make every metric created after this, in this process and the ones it forks, count in
    files under ``directory``. Call in a server's master before its workers start."""
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    # prometheus_client picks its value store from this variable when first imported, which
    # may have been before the directory existed; pick again
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]


def process_gone(directory: str, pid: int) -> None:
    """A worker exited: drop its live gauges (its counts stay in the totals)."""
    multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]


class Metrics:
    """``shared_dir``: the multiprocess directory (see :func:`count_across_processes`), or
    ``None`` to count in this process only. ``router``: the app's, to name the route of a
    request refused before routing (a 401 or a 429 from middleware)."""

    def __init__(self, shared_dir: str | None = None,
                 router: CompiledRouter | None = None) -> None:
        self._router = router
        own = CollectorRegistry()  # the metrics live here; exposition reads ``registry``
        if shared_dir is None:
            self.registry = own
        else:
            self.registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(  # type: ignore[no-untyped-call]
                self.registry, path=shared_dir)
        self.latency = Histogram("commerce_http_request_seconds", "Request latency",
                                 ["route", "method", "status"], registry=own,
                                 buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
        self.requests = Counter("commerce_http_requests_total", "Requests answered",
                                ["route", "method", "status"], registry=own)
        self.outcomes = Counter("commerce_outcomes_total",
                                "Checkouts and payments by outcome (HTTP status)",
                                ["kind", "status"], registry=own)
        self.cache = Counter("commerce_cache_reads_total",
                             "Cache-aside key reads by result (hit, miss, error: bypassed)",
                             ["result"], registry=own)
        # bound once: a cached read is the hot path, and a label lookup costs as much as it
        self._cache_results = {r: self.cache.labels(r) for r in ("hit", "miss", "error")}

    def cache_read(self, result: str) -> None:
        """A cache-aside read's result (an observer of ``shop.cached``)."""
        self._cache_results[result].inc()

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started = time.perf_counter()

    def process_response(self, req: falcon.Request, resp: falcon.Response,
                         resource: object, req_succeeded: bool) -> None:
        started = getattr(req.context, "started", None)
        if started is None:
            return
        route = route_label(req, self._router)
        status = str(resp.status_code)
        self.latency.labels(route, req.method, status).observe(time.perf_counter() - started)
        self.requests.labels(route, req.method, status).inc()
        kind = _OUTCOMES.get((req.method, route))
        if kind is not None:
            self.outcomes.labels(kind, status).inc()



class SearchIndexing:
    """A collector read at scrape time: the indexer of the process that answers (each
    worker indexes the events its own requests committed, so each reports its own)."""

    def __init__(self, stats: Callable[[], IndexingStats]) -> None:
        self._stats = stats

    def collect(self) -> Iterator[Metric]:
        stats = self._stats()
        lag = GaugeMetricFamily("commerce_search_index_lag_seconds",
                                "Between the last indexed event's commit and its indexing")
        lag.add_metric([], stats.last_lag_seconds)
        events = CounterMetricFamily("commerce_search_indexed_events",
                                     "Catalog, stock and rating events indexed")
        events.add_metric([], stats.events)
        docs = CounterMetricFamily("commerce_search_indexed_documents",
                                   "Documents written by the indexer")
        docs.add_metric([], stats.documents)
        yield from (lag, events, docs)


class MetricsEndpoint:
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = CONTENT_TYPE_LATEST
        resp.data = generate_latest(self._metrics.registry)
