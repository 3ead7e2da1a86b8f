"""``stripe://``: the payment gateway on Stripe's PaymentIntents, through the official SDK.

A charge is one PaymentIntent, created and confirmed in one call with the customer's
payment method (``pm_...`` from Stripe.js), our idempotency key sent as Stripe's
``Idempotency-Key`` (a retry is the same charge) and in the metadata with the order and
checkout ids (how :meth:`lookup` and webhooks find it again). ``requires_action`` (3-D
Secure) hands the client secret and next action to the customer's browser; the outcome
arrives by webhook (``payment_intent.succeeded`` / ``payment_intent.payment_failed``).

Errors at the edge: a card error is a decline with Stripe's reason; rate limits, network
errors and Stripe's 5xx are TransientError (retried with the same key, counted by the
circuit breaker); a bad API key is Unavailable (retrying will not help).

Finding a charge whose answer was lost: Stripe's search by metadata (which lags up to a
minute behind writes); when it finds nothing, the key is *claimed*: a harmless unconfirmed
PaymentIntent is created with the same Idempotency-Key and other parameters. Stripe refuses
that (idempotency_error) if the key was used, so the charge exists but is not searchable
yet (Unavailable: ask again later; recover() only asks about checkouts older than
``SEARCH_LAG``); otherwise the claim is cancelled and the key can
never charge any more, so "no charge" is final.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import stripe

from commerce_adapters.stripe import events
from commerce_core.errors import (
    PaymentDeclined,
    TransientError,
    Unauthenticated,
    Unavailable,
    ValidationError,
)
from commerce_core.money import Money
from commerce_core.payments.ports import (
    ChargeRequest,
    ChargeResult,
    ChargeStatus,
    GatewayEvent,
    RefundResult,
)

# how long Stripe's search may lag behind its writes: recover() leaves younger checkouts
SEARCH_LAG = timedelta(minutes=3)


def _not_yet() -> Unavailable:
    """A charge that exists but is not searchable yet: ask later. Not a TransientError:
    retrying at once will not help, and it must not count against the circuit breaker."""
    return Unavailable("the charge exists but Stripe's search does not show it yet")


# PaymentIntent states that hold no captured money and can still be cancelled
_CANCELLABLE = frozenset({"requires_confirmation", "requires_action", "requires_capture",
                          "processing"})


class StripeGateway:
    search_lag = SEARCH_LAG

    def __init__(self, api_key: str, api_base: str | None = None,
                 webhook_secret: str | None = None, *, timeout: float = 20.0,
                 tolerance: int = events.TOLERANCE) -> None:
        # no retries in the SDK: ResilientGateway retries, with the same idempotency key
        self._client = stripe.StripeClient(
            api_key, base_addresses={"api": api_base} if api_base else {},
            max_network_retries=0, http_client=stripe.new_default_http_client(timeout=timeout))
        self._secret = webhook_secret
        self._tolerance = tolerance
        self.takes_real_money = api_key.startswith(("sk_live_", "rk_live_"))

    # The port -------------------------------------------------------------------------------
    def charge(self, request: ChargeRequest) -> ChargeResult:
        if request.amount.is_negative or request.amount.is_zero:
            raise ValidationError("amount must be positive")
        params: dict[str, Any] = {
            "amount": request.amount.minor_units,
            "currency": request.amount.currency.lower(),
            "payment_method": request.token, "payment_method_types": ["card"],
            "confirm": True,
            "metadata": {**request.metadata, "idempotency_key": request.idempotency_key}}
        try:
            intent = self._client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": request.idempotency_key})
        except stripe.CardError as ex:
            return _card_declined(ex)
        except stripe.InvalidRequestError as ex:  # an unusable payment method: a decline
            if isinstance(ex, stripe.IdempotencyError):
                raise ValidationError("idempotency key reused with another request") from ex
            return ChargeResult(ChargeStatus.DECLINED, None, ex.code or "invalid_request",
                                {"error": ex.user_message or str(ex)})
        except stripe.StripeError as ex:
            raise _translated(ex) from ex
        return _result(intent)

    def lookup(self, idempotency_key: str) -> ChargeResult | None:
        intent = self._find(idempotency_key)
        if intent is not None:
            return _result(intent)
        if self._claim(idempotency_key):
            return None
        raise _not_yet()

    def void(self, idempotency_key: str) -> bool:
        intent = self._find(idempotency_key)
        if intent is None:
            if self._claim(idempotency_key):
                return False
            raise _not_yet()
        try:
            if intent.status == "succeeded":
                self._client.v1.refunds.create(
                    params={"payment_intent": intent.id},
                    options={"idempotency_key": f"void_{idempotency_key}"})
                return True
            if intent.status in _CANCELLABLE:
                self._client.v1.payment_intents.cancel(intent.id)
                return True
        except stripe.InvalidRequestError:
            return False  # refunded or cancelled already: nothing left to reverse
        except stripe.StripeError as ex:
            raise _translated(ex) from ex
        return False

    def refund(self, transaction_id: str, amount: Money, idempotency_key: str) -> RefundResult:
        try:
            refund = self._client.v1.refunds.create(
                params={"payment_intent": transaction_id, "amount": amount.minor_units},
                options={"idempotency_key": idempotency_key})
        except stripe.InvalidRequestError as ex:  # more than is left, a failed charge
            raise PaymentDeclined(f"refund refused: {ex.user_message or ex}",
                                  {"reason": ex.code or "invalid_request"}) from ex
        except stripe.StripeError as ex:
            raise _translated(ex) from ex
        return RefundResult(refund.id, {"id": refund.id, "amount": refund.amount,
                                        "status": refund.status})

    def verify_event(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        if not self._secret:
            raise Unauthenticated("webhooks are refused: COMMERCE_WEBHOOK_SECRET is not set")
        try:
            stripe.WebhookSignature.verify_header(
                body.decode("utf-8"), events.header(headers), self._secret, self._tolerance)
        except (stripe.SignatureVerificationError, UnicodeDecodeError) as ex:
            raise Unauthenticated(f"webhook refused: {ex}") from None
        return events.parse(events.loads(body))

    # Finding a charge by its key ------------------------------------------------------------
    def _find(self, key: str) -> stripe.PaymentIntent | None:
        quoted = key.replace("\\", "\\\\").replace("'", "\\'")
        try:
            found = self._client.v1.payment_intents.search(
                params={"query": f"metadata['idempotency_key']:'{quoted}'", "limit": 1})
        except stripe.StripeError as ex:
            raise _translated(ex) from ex
        return found.data[0] if found.data else None

    def _claim(self, key: str) -> bool:
        """Take the key with a harmless request; False if Stripe says it was used."""
        params: dict[str, Any] = {"amount": 100, "currency": "usd",
                                  "payment_method_types": ["card"],
                                  "metadata": {"claimed_key": key}}
        try:
            claim = self._client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": key})
        except stripe.IdempotencyError:
            return False
        except stripe.StripeError as ex:
            raise _translated(ex) from ex
        with contextlib.suppress(stripe.StripeError):  # unconfirmed, it never charges:
            self._client.v1.payment_intents.cancel(claim.id)  # cancelling only tidies up
        return True


def _result(intent: stripe.PaymentIntent) -> ChargeResult:
    raw = {"id": intent.id, "status": intent.status, "amount": intent.amount}
    if intent.status == "succeeded":
        return ChargeResult(ChargeStatus.SUCCEEDED, intent.id, raw=raw)
    if intent.status in ("requires_action", "processing"):  # the outcome comes by webhook
        action = intent.next_action.to_dict() if intent.next_action else None
        return ChargeResult(ChargeStatus.REQUIRES_ACTION, intent.id, raw=raw,
                            client_secret=intent.client_secret, next_action=action)
    error = intent.last_payment_error
    # StripeObjects leave out absent fields: read them as a plain mapping
    found = error.to_dict() if error else {}
    reason = found.get("decline_code") or found.get("code") or intent.status
    return ChargeResult(ChargeStatus.DECLINED, intent.id, reason, raw)


def _card_declined(ex: stripe.CardError) -> ChargeResult:
    error = ex.error.to_dict() if ex.error else {}
    intent = error.get("payment_intent") or {}
    reason = error.get("decline_code") or ex.code or "card_declined"
    return ChargeResult(ChargeStatus.DECLINED, intent.get("id"), reason,
                        {"error": ex.user_message or str(ex)})


def _translated(ex: stripe.StripeError) -> Exception:
    """The SDK's error as the core's: worth a retry, or not."""
    if isinstance(ex, stripe.RateLimitError | stripe.APIConnectionError | stripe.APIError):
        return TransientError(f"Stripe: {type(ex).__name__}: {ex.user_message or ex}")
    if isinstance(ex, stripe.AuthenticationError | stripe.PermissionError):
        return Unavailable(f"Stripe refused the API key: {ex.user_message or ex}")
    if (ex.http_status or 0) >= 500:
        return TransientError(f"Stripe answered {ex.http_status}")
    return ValidationError(f"Stripe refused the request: {ex.user_message or ex}")


def open_stripe(url: str, database_url: str, webhook_secret: str | None = None,
                api_key: str | None = None, api_base: str | None = None) -> StripeGateway:
    """``stripe://``: the key from ``COMMERCE_STRIPE_API_KEY``, the API base from
    ``COMMERCE_STRIPE_API_BASE`` (a test server), the webhook secret from
    ``COMMERCE_WEBHOOK_SECRET``."""
    api_key = api_key or os.environ.get("COMMERCE_STRIPE_API_KEY", "")
    if not api_key:
        raise ValueError("stripe:// needs COMMERCE_STRIPE_API_KEY (sk_live_... or sk_test_...)")
    return StripeGateway(api_key, api_base or os.environ.get("COMMERCE_STRIPE_API_BASE") or None,
                         webhook_secret)
