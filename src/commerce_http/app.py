"""``create_app(shop)``: the WSGI application over one ``Commerce`` object."""

from __future__ import annotations

import re
from typing import Any

import attrs
import falcon
import swagger_ui
from falcon.routing import CompiledRouter

from commerce_core.accounts.policy import Actor
from commerce_core.facade import Commerce
from commerce_core.ratelimit.ports import RateLimiter
from commerce_http import api, errors, media
from commerce_http.contract import document as contract_document
from commerce_http.contract.serve import resources
from commerce_http.limits import Limits, RateLimit
from commerce_http.logs import AccessLog
from commerce_http.metrics import Metrics, MetricsEndpoint, SearchIndexing
from commerce_http.middleware import (
    Authentication,
    BodyLimit,
    PathIds,
    RequestId,
)
from commerce_http.openapi import SERVICE_PATHS, OpenApi

API = "/api/v1"


@attrs.frozen
class HttpSettings:
    max_body_bytes: int = 1_000_000
    cors_origins: tuple[str, ...] = ()  # e.g. ("https://shop.example",); "*" for any
    limits: Limits = attrs.field(factory=Limits)
    # the server's shared Prometheus directory (multiprocess mode); None: this process only
    metrics_dir: str | None = None


def create_app(shop: Commerce, settings: HttpSettings | None = None,
               limiter: RateLimiter | None = None, *, acting_as: Actor | None = None
               ) -> falcon.App[falcon.Request, falcon.Response]:
    """The API over ``shop``. ``limiter``: the rate-limit store (by default the shop's
    sessions part, ``COMMERCE_SESSIONS_URL``; every worker must share one in production).

    ``acting_as``: every request is made by that actor, with no token: for calling the app
    in process only (the CLI's local mode, where whoever holds the database is its
    operator). Never serve such an app."""
    settings = settings or HttpSettings()
    router = CompiledRouter()  # ours, so metrics can name the route of a refused request
    metrics = Metrics(settings.metrics_dir, router)
    shop.cached.observe(metrics.cache_read)
    metrics.registry.register(SearchIndexing(lambda: shop.search.indexer.stats))
    middleware: list[Any] = [metrics, RequestId(), AccessLog(router),
                             BodyLimit(settings.max_body_bytes)]
    if settings.cors_origins:
        middleware.append(falcon.CORSMiddleware(
            allow_origins="*" if "*" in settings.cors_origins else list(settings.cors_origins),
            expose_headers=["X-Request-ID", "Retry-After"]))
    middleware += [Authentication(shop.accounts, acting_as),
                   RateLimit(limiter or shop.limiter, settings.limits),
                   PathIds()]
    app: falcon.App[falcon.Request, falcon.Response] = falcon.App(middleware=middleware,
                                                                     router=router)
    app.req_options.media_handlers.update(media.handlers())
    app.resp_options.media_handlers.update(media.handlers())
    app.req_options.strip_url_path_trailing_slash = True
    errors.install(app)
    spec = contract_document.document(api.OPERATIONS, title="commerce-sdk API", version="1")
    spec["paths"].update(SERVICE_PATHS)
    routes: dict[str, object] = {"/metrics": MetricsEndpoint(metrics),
                                 "/openapi.json": OpenApi(spec),
                                 **resources(shop, api.OPERATIONS)}
    for path, resource in routes.items():
        # any digits match, so an id out of range is a 422 naming it (PathIds), not a 404
        app.add_route(_ID_FIELD.sub(r"{\1:int}", path), resource)
    # Swagger UI over the same document (it serves it again at /docs/swagger.json), its
    # assets from the package: no CDN, works offline
    swagger_ui.api_doc(app, config=spec, url_prefix="/docs", title="commerce-sdk API")
    return app


_ID_FIELD = re.compile(r"{(id|\w+_id)}")  # names, such as {carrier}, stay strings

