"""The SMTP notifier against a minimal SMTP server on 127.0.0.1 (started and stopped here)."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes

import pytest

from commerce_adapters.notify.smtp import SmtpNotifier
from commerce_core.errors import TransientError
from commerce_core.notifications.model import Channel, Message, NotificationType


class _Sink(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to accept mail: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT."""

    def handle(self) -> None:
        server: SmtpSink = self.server  # type: ignore[assignment]
        self.wfile.write(b"220 sink ready\r\n")
        while line := self.rfile.readline():
            verb = line.split(b" ")[0].strip().upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-sink\r\n250 AUTH PLAIN\r\n")
            elif verb == b"AUTH":
                server.logins.append(line.strip().split(b" ")[-1])
                self.wfile.write(b"235 ok\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                body = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk
                server.mail.append(body)
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Sink)
        self.mail: list[bytes] = []
        self.logins: list[bytes] = []


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def message(channel: Channel = Channel.EMAIL) -> Message:
    now = datetime.now(UTC)
    return Message(1, "e1", 7, NotificationType.ORDER_PLACED, channel, "ann@example.com",
                   "Order ORD-2026-000001 received", "Hi Ann,\n\nthanks.", now, now)


def test_email_reaches_the_smtp_server(sink: SmtpSink) -> None:
    port = sink.server_address[1]
    notifier = SmtpNotifier(f"smtp://shop:s3cret@127.0.0.1:{port}?from=orders@shop.example")
    notifier.send(message())
    assert len(sink.mail) == 1 and sink.logins
    mail = message_from_bytes(sink.mail[0])
    assert mail["To"] == "ann@example.com" and mail["From"] == "orders@shop.example"
    assert mail["Subject"] == "Order ORD-2026-000001 received"
    notifier.send(message(Channel.SMS))  # no SMS gateway here: logged, not mailed
    assert len(sink.mail) == 1


def test_check_signs_in_and_sends_nothing(sink: SmtpSink) -> None:
    port = sink.server_address[1]
    SmtpNotifier(f"smtp://shop:s3cret@127.0.0.1:{port}?from=orders@shop.example").check()
    assert len(sink.logins) == 1 and sink.mail == []


def test_an_unreachable_server_is_a_transient_error(sink: SmtpSink) -> None:
    port = sink.server_address[1]
    sink.shutdown()
    sink.server_close()
    notifier = SmtpNotifier(f"smtp://127.0.0.1:{port}?from=orders@shop.example&timeout=2")
    with pytest.raises(TransientError):
        notifier.send(message())
    with pytest.raises(TransientError):
        notifier.check()


def test_the_url_needs_a_sender() -> None:
    with pytest.raises(ValueError, match="sender"):
        SmtpNotifier("smtp://mail.example.com:587")
