"""``GET /health``: 200 "ok" when every part answers; 200 "degraded" when only parts a
request can do without (or answer 503 for alone) are down: the cache (bypassed), carts,
sessions; 503 "unavailable" when the database or the catalog is down. The same body in
every case, so a client reads a 503 from here as the report it is, not as an error."""

from __future__ import annotations

from typing import Literal

from commerce_adapters.bootstrap import NO_REAL_MONEY
from commerce_http.contract.operation import Call, Operation, Reply
from commerce_http.contract.wire import Model

ESSENTIAL = frozenset({"database", "catalog"})


class HealthOut(Model, omit_defaults=True):
    status: Literal["ok", "degraded", "unavailable"]
    checks: dict[str, str]
    real_money: bool
    warning: str | None = None


def _health(call: Call[object, None]) -> HealthOut | Reply:
    checks = call.shop.health()
    down = {name for name, state in checks.items() if state != "ok"}
    status: Literal["ok", "degraded", "unavailable"] = (
        "unavailable" if down & ESSENTIAL else "degraded" if down else "ok")
    real = call.shop.gateway.takes_real_money
    body = HealthOut(status=status, checks=checks, real_money=real,
                     warning=None if real else NO_REAL_MONEY)
    return Reply(body, 503) if status == "unavailable" else body


health = Operation("GET", "/health", "health", "Each part's state", _health,
                   response=HealthOut, auth=False, envelope=False, also=(503,), tag="service")

OPERATIONS = (health,)
