"""``log://``: messages written to the ``commerce.notifications`` logger (the default,
so a fresh install shows what it would have sent)."""

from __future__ import annotations

import logging

from commerce_core.notifications.model import Message

log = logging.getLogger("commerce.notifications")


class LogNotifier:
    def __init__(self, url: str = "log://") -> None:
        self.url = url

    def send(self, message: Message) -> None:
        log.info("%s to %s: %s", message.channel.value, message.recipient, message.subject)
