"""Events on the wire (the envelope) and a consumer group's dispatcher."""

from __future__ import annotations

import enum
import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from commerce_core.bus.consumer import Backoff, DeadLetter, Dispatcher, Outcome
from commerce_core.bus.envelope import SCHEMA_VERSION, TOPICS, Envelope, aggregate_of, topic_of
from commerce_core.events import (
    DomainEvent,
    OrderPlaced,
    PaymentConfirmed,
    _fields,
    event_from_dict,
    event_types,
)
from commerce_core.facade import Commerce
from commerce_core.money import Money
from commerce_core.uow import AlreadyProcessed

AT = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)


def sample(kind: Any, n: int) -> Any:
    """A value of a field type, different per ``n``."""
    if kind is int:
        return 1000 + n
    if kind is str:
        return f"text-{n}"
    if kind is Money:
        return Money(Decimal("1234.56") + n, "EUR")
    if kind is Decimal:
        return Decimal("0.1") * n
    if kind is datetime:
        return AT + timedelta(seconds=n)
    if kind == list[str]:
        return [f"a{n}", f"b{n}"]
    if kind == list[int]:
        return [n, n + 1]
    if kind == tuple[int, ...]:
        return (n, n + 1, n + 2)
    if kind == int | None:
        return None if n % 2 else n
    raise AssertionError(f"no sample for {kind}")


@pytest.mark.parametrize("name", sorted(event_types()))
def test_every_event_round_trips_exactly_through_the_envelope(name: str) -> None:
    cls = event_types()[name]
    for n in (1, 2):
        event = cls(occurred_at=AT, **{f: sample(k, n) for f, k in _fields(cls).items()})
        raw = Envelope.of(event).encode()
        back = Envelope.decode(raw)
        assert back.event() == event
        assert type(back.event()) is cls
        assert cls.from_dict(event.to_dict()) == event
        assert back.topic in TOPICS
        assert back.aggregate_id == aggregate_of(event)


def test_an_order_and_its_payment_are_keyed_by_the_order() -> None:
    placed = OrderPlaced(occurred_at=AT, order_id=7, order_number="ORD-1", user_id=1,
                         total=Money("5", "USD"))
    paid = PaymentConfirmed(occurred_at=AT, order_id=7, payment_id=9, user_id=1,
                            amount=Money("5", "USD"), transaction_id="t")
    assert aggregate_of(placed) == aggregate_of(paid) == "order_id:7"
    assert (topic_of("OrderPlaced"), topic_of("PaymentConfirmed")) == ("order-events",
                                                                        "payment-events")


class Colour(enum.Enum):
    RED = "red"


def test_enums_are_written_as_their_value_and_revived_by_the_field_type() -> None:
    @attrs.frozen(kw_only=True)
    class Painted(DomainEvent):
        colour: Colour

    event = Painted(occurred_at=AT, colour=Colour.RED)
    assert event.payload() == {"colour": "red"}
    from commerce_core import events  # noqa: PLC0415

    events.Painted = Painted  # type: ignore[attr-defined]
    try:
        assert event_from_dict(event.to_dict()) == event
    finally:
        del events.Painted  # type: ignore[attr-defined]
        events._resolved.cache_clear()


def test_a_newer_schema_version_is_kept_and_skipped_with_a_log_line(
        caplog: pytest.LogCaptureFixture) -> None:
    event = OrderPlaced(occurred_at=AT, order_id=1, order_number="ORD-1", user_id=1,
                        total=Money("5", "USD"))
    newer = attrs.evolve(Envelope.of(event), schema_version=SCHEMA_VERSION + 1,
                         payload={"order_ref": "renamed"})
    again = Envelope.decode(newer.encode())
    assert again == newer  # nothing of it is lost on the way
    seen: list[DomainEvent] = []
    group = Dispatcher("g")
    group.subscribe(DomainEvent, seen.append)
    with caplog.at_level(logging.WARNING):
        assert group.handle(again) is Outcome.UNREADABLE
    assert seen == []
    assert "schema version 2 is newer than 1" in caplog.text


def test_bytes_that_are_no_envelope_are_refused() -> None:
    for raw in (b"not json", b"[1]", b'{"type": "OrderPlaced"}'):
        with pytest.raises(ValueError, match="not an event envelope"):
            Envelope.decode(raw)


def placed(order_id: int, user_id: int) -> OrderPlaced:
    return OrderPlaced(occurred_at=AT, order_id=order_id, order_number=f"ORD-{order_id}",
                       user_id=user_id, total=Money("5", "USD"))


class Letters:
    def __init__(self) -> None:
        self.kept: list[DeadLetter] = []

    def send(self, letter: DeadLetter) -> None:
        self.kept.append(letter)


def test_a_group_processes_an_event_once_and_its_record_is_in_the_handlers_commit(
        shop: Commerce) -> None:
    effects: list[str] = []

    def handler(event: DomainEvent) -> None:
        with shop.tx() as uow:  # the handler's own transaction: the record joins it
            uow.sequences.next_value("effects")
            effects.append(event.event_id)

    group = Dispatcher("counter", shop.tx)
    group.subscribe(OrderPlaced, handler)
    envelope = Envelope.of(placed(1, 2))
    assert group.handle(envelope) is Outcome.DONE
    assert group.handle(envelope) is Outcome.DUPLICATE  # redelivered: no second effect
    assert effects == [envelope.event_id]
    assert shop.tx.processed("counter", envelope.event_id)
    assert not shop.tx.processed("another-group", envelope.event_id)


def test_a_twin_delivery_that_raced_past_the_check_is_rolled_back(shop: Commerce) -> None:
    envelope = Envelope.of(placed(1, 2))
    with shop.tx() as uow:  # as if a twin had committed between the check and the handler
        uow.processed.add("racer", envelope.event_id, AT)

    def handler(event: DomainEvent) -> None:
        with shop.tx() as uow:  # the handler's write: any row of the transactional store
            uow.processed.add("side-effect", event.event_id, AT)

    with pytest.raises(AlreadyProcessed), shop.tx.consuming("racer", envelope.event_id):
        handler(envelope.event())  # type: ignore[arg-type]
    assert not shop.tx.processed("side-effect", envelope.event_id)  # rolled back with it


def test_a_failing_handler_is_retried_with_backoff_then_dead_lettered(shop: Commerce) -> None:
    waits: list[float] = []
    letters = Letters()
    group = Dispatcher("flaky", shop.tx, Backoff(4, timedelta(seconds=1)), letters,
                       sleep=waits.append)
    calls: list[str] = []

    def broken(event: DomainEvent) -> None:
        calls.append(event.event_id)
        raise ConnectionError("smtp down")

    group.subscribe(OrderPlaced, broken)
    envelope = Envelope.of(placed(1, 2))
    assert group.handle(envelope) is Outcome.DEAD
    assert len(calls) == 4
    assert waits == [1.0, 2.0, 4.0]
    assert [(d.group, d.envelope, d.attempts) for d in letters.kept] == [
        ("flaky", envelope, 4)]
    assert "smtp down" in letters.kept[0].error
    assert not shop.tx.processed("flaky", envelope.event_id)  # a redelivery tries again
    group._handlers.clear()
    group.subscribe(OrderPlaced, lambda e: calls.append("fixed"))
    assert group.replay(envelope) is Outcome.DONE
    assert calls[-1] == "fixed"
    assert shop.tx.processed("flaky", envelope.event_id)


def test_a_group_ignores_types_it_has_no_handler_for(shop: Commerce) -> None:
    group = Dispatcher("none", shop.tx)
    assert group.handle(Envelope.of(placed(1, 2))) is Outcome.IGNORED
