"""Message texts per notification type; ``$name`` placeholders filled from the event."""

from __future__ import annotations

from string import Template

import attrs

from commerce_core.notifications.model import Channel, NotificationType


@attrs.frozen
class Texts:
    subject: str
    body: str
    short: str  # SMS and push


TEMPLATES: dict[NotificationType, Texts] = {
    NotificationType.ORDER_PLACED: Texts(
        "Order $order_number received",
        "Hi $name,\n\nthank you for your order $order_number of $total. We will let you "
        "know when it ships.",
        "Order $order_number received ($total)."),
    NotificationType.PAYMENT_CONFIRMED: Texts(
        "Payment receipt for $order_number",
        "Hi $name,\n\nwe received your payment of $amount for order $order_number "
        "(transaction $transaction_id).",
        "Payment of $amount for $order_number successful."),
    NotificationType.ORDER_SHIPPED: Texts(
        "Order $order_number has shipped",
        "Hi $name,\n\npart of your order $order_number is on its way with $carrier. "
        "Tracking number: $tracking_number.",
        "$order_number shipped: $carrier $tracking_number"),
    NotificationType.ORDER_DELIVERED: Texts(
        "Order $order_number was delivered",
        "Hi $name,\n\nyour package for order $order_number has been delivered.",
        "$order_number delivered."),
    NotificationType.PAYMENT_FAILED: Texts(
        "Payment failed for $order_number",
        "Hi $name,\n\nthe payment for order $order_number did not go through: $reason. "
        "Please try again with another payment method.",
        "Payment for $order_number failed: action needed."),
    NotificationType.REFUND_ISSUED: Texts(
        "Refund of $amount issued",
        "Hi $name,\n\nwe refunded $amount for order $order_number. It usually reaches "
        "your account within 5 to 10 business days.",
        "Refund of $amount for $order_number issued."),
    NotificationType.REVIEW_REQUEST: Texts(
        "How was your order $order_number?",
        "Hi $name,\n\nyour order $order_number arrived. Tell other shoppers what you think "
        "of it: your review helps them choose.",
        "Review your order $order_number."),
}


def render(kind: NotificationType, channel: Channel, context: dict[str, str]
           ) -> tuple[str, str]:
    """Subject and body for one channel; unknown placeholders are left as written."""
    texts = TEMPLATES[kind]
    subject = Template(texts.subject).safe_substitute(context)
    if channel in (Channel.SMS, Channel.PUSH):
        return subject, Template(texts.short).safe_substitute(context)
    return subject, Template(texts.body).safe_substitute(context)
