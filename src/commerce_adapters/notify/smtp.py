"""``smtp://user:password@host:587?from=shop@example.com&tls=starttls``: e-mail through an SMTP
server (stdlib smtplib). SMS and push have no gateway here: they go to the log notifier, so
choosing SMTP never makes them fail.

Query options: ``from`` (the sender, required), ``tls`` (``starttls``, ``ssl`` or ``none``;
default ``starttls`` unless the server is this machine), ``timeout`` in seconds (10).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from commerce_adapters.notify.log import LogNotifier
from commerce_core.errors import TransientError
from commerce_core.notifications.model import Channel, Message

_LOCAL = ("127.0.0.1", "localhost", "::1")


class SmtpNotifier:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if not parts.hostname or "from" not in query:
            raise ValueError("smtp:// needs a host and a sender: smtp://host:587?from=a@b.c")
        self.host = parts.hostname
        self.port = parts.port or 587
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = query["from"]
        self.tls = query.get("tls", "none" if self.host in _LOCAL else "starttls")
        if self.tls not in ("starttls", "ssl", "none"):
            raise ValueError("tls must be starttls, ssl or none")
        self.timeout = float(query.get("timeout", "10"))
        self._others = LogNotifier()

    def send(self, message: Message) -> None:
        if message.channel is not Channel.EMAIL:
            self._others.send(message)
            return
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.recipient, \
            message.subject
        mail["Message-ID"] = f"<notification-{message.id}@{self.sender.partition('@')[2]}>"
        mail.set_content(message.body)
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as ex:  # a bad address: retrying cannot help
            raise ValueError(f"recipient refused: {message.recipient}") from ex
        except (OSError, smtplib.SMTPException) as ex:  # down, timed out, 4xx: try later
            raise TransientError(f"SMTP server {self.host}:{self.port}: {ex}") from ex

    def check(self) -> None:
        """Reach the server and sign in, sending nothing (``commerce doctor``)."""
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.noop()
        except (OSError, smtplib.SMTPException) as ex:
            raise TransientError(f"SMTP server {self.host}:{self.port}: {ex}") from ex

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.tls == "starttls":
            smtp.starttls()
        return smtp
