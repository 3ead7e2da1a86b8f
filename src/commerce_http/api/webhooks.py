"""The shop's own outgoing webhooks (admins): endpoints per event type, their secrets, and
each endpoint's delivery log. Deliveries are signed, retried with backoff and logged by the
``webhooks`` worker role (docs/kafka.md)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from commerce_core.accounts.policy import Role
from commerce_core.events import event_types
from commerce_core.webhooks.model import Delivery, Endpoint
from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import Body, Id, Model, Query, Text100, Text2000, Timestamp

API = "/api/v1/admin/webhooks"
ADMINS = frozenset({Role.ADMIN})


class EndpointOut(Model):
    endpoint_id: Id
    url: str
    event_types: list[str]
    active: bool
    created_at: Timestamp


class EndpointMade(EndpointOut):
    secret: str  # shown this once: it signs every delivery (the Commerce-Signature header)


class Endpoints(Model):
    endpoints: list[EndpointOut]
    event_types: list[str]  # what an endpoint may ask for ("*": every event)


class NewEndpoint(Body):
    url: Text2000
    event_types: Annotated[list[Text100], msgspec.Meta(min_length=1, max_length=100)]


class DeliveryOut(Model):
    delivery_id: Id
    event_id: str
    event_type: str
    state: Literal["pending", "sent", "failed"]
    attempts: int
    last_status: int | None
    last_error: str
    created_at: Timestamp
    next_attempt_at: Timestamp
    sent_at: Timestamp | None


class Deliveries(Model):
    endpoint_id: Id
    deliveries: list[DeliveryOut]


class DeliveryQuery(Query):
    limit: Annotated[int, msgspec.Meta(ge=1, le=500)] = 50


def _endpoint(e: Endpoint) -> EndpointOut:
    return EndpointOut(endpoint_id=Id(e.id), url=e.url, event_types=list(e.event_types),
                       active=e.active, created_at=e.created_at)


def _delivery(d: Delivery) -> DeliveryOut:
    return DeliveryOut(delivery_id=Id(d.id), event_id=d.event_id, event_type=d.event_type,
                       state=d.state.value, attempts=d.attempts, last_status=d.last_status,
                       last_error=d.last_error, created_at=d.created_at,
                       next_attempt_at=d.next_attempt_at, sent_at=d.sent_at)


def _list(call: Call[object, None]) -> Endpoints:
    found = call.shop.webhooks.endpoints(call.who())
    return Endpoints(endpoints=[_endpoint(e) for e in found],
                     event_types=["*", *sorted(event_types())])


def _add(call: Call[object, NewEndpoint]) -> EndpointMade:
    e = call.shop.webhooks.register(call.who(), call.body.url, call.body.event_types)
    return EndpointMade(endpoint_id=Id(e.id), url=e.url, event_types=list(e.event_types),
                        active=e.active, created_at=e.created_at, secret=e.secret)


def _disable(call: Call[object, None]) -> EndpointOut:
    return _endpoint(call.shop.webhooks.disable(call.who(), call.path["endpoint_id"]))


def _deliveries(call: Call[DeliveryQuery, None]) -> Deliveries:
    endpoint_id = call.path["endpoint_id"]
    found = call.shop.webhooks.deliveries(call.who(), endpoint_id, call.query.limit)
    return Deliveries(endpoint_id=Id(endpoint_id), deliveries=[_delivery(d) for d in found])


list_webhooks = Operation("GET", API, "list_webhooks",
                          "Outgoing webhook endpoints, and the event types they may ask for",
                          _list, response=Endpoints, roles=ADMINS, tag="admin")
add_webhook = Operation("POST", API, "add_webhook",
                        "Register an endpoint for some event types; its signing secret is in "
                        "this answer only", _add, body=NewEndpoint, response=EndpointMade,
                        status=201, roles=ADMINS, tag="admin")
disable_webhook = Operation("POST", f"{API}/{{endpoint_id}}/disable", "disable_webhook",
                            "Stop sending to an endpoint (its log stays)", _disable,
                            response=EndpointOut, roles=ADMINS, errors=(404,), tag="admin")
webhook_deliveries = Operation("GET", f"{API}/{{endpoint_id}}/deliveries",
                               "list_webhook_deliveries",
                               "An endpoint's delivery log, newest first", _deliveries,
                               query=DeliveryQuery, response=Deliveries, roles=ADMINS,
                               errors=(404,), tag="admin")

OPERATIONS = (list_webhooks, add_webhook, disable_webhook, webhook_deliveries)
