"""A proxy in front of the Stripe-API test server (localstripe) that adds what Stripe does
and the stand-in does not, so the gateway is tested as it runs against Stripe:

- ``Idempotency-Key`` on POSTs: the same key with the same request replays the first answer;
  with another request it is refused (400 ``idempotency_error``), as Stripe does;
- ``GET /v1/payment_intents/search`` for ``metadata['name']:'value'`` (localstripe has no
  search), over its list of PaymentIntents;
- a refund above what is left of the charge is refused (400 ``invalid_request_error``);
- fault injection for tests: :meth:`StripeProxy.lose_next_answer` forwards the next POST to
  a path, then drops the connection without answering (a lost response).

It also lets a test act as the customer's browser: :meth:`three_d_secure_card` makes a card
that needs 3-D Secure, :meth:`authenticate` finishes (or fails) it.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "sk_test_commerce_contract"
_SEARCH = re.compile(r"^metadata\['([^']+)'\]:'((?:[^'\\]|\\.)*)'$")


def _error(kind: str, message: str, code: str | None = None) -> bytes:
    return json.dumps({"error": {"type": kind, "message": message, "code": code}}).encode()


class StripeProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self._answers: dict[str, tuple[str, int, bytes]] = {}
        self._key_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._refund_lock = threading.Lock()
        self._lose: set[str] = set()
        self.search_lags = False  # True: search finds nothing, as Stripe's right after a write
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # Test controls --------------------------------------------------------------------------
    def lose_next_answer(self, path: str = "/v1/payment_intents") -> None:
        with self._lock:
            self._lose.add(path)

    def call(self, method: str, path: str, data: dict[str, str] | None = None) -> Any:
        """Call the test server directly (as the customer's browser or a test would)."""
        body = urllib.parse.urlencode(data or {}).encode() if method == "POST" else None
        status, answer = self._forward(method, path, body)
        if status >= 400:
            raise AssertionError(f"{method} {path}: {status} {answer!r}")
        return json.loads(answer)

    def three_d_secure_card(self) -> str:
        """A payment method whose charges need 3-D Secure (Stripe's test card 3220)."""
        pm = self.call("POST", "/v1/payment_methods", {
            "type": "card", "card[number]": "4000000000003220", "card[exp_month]": "12",
            "card[exp_year]": "2030", "card[cvc]": "123"})
        return str(pm["id"])

    def authenticate(self, intent_id: str, client_secret: str, success: bool) -> None:
        self.call("POST", f"/v1/payment_intents/{intent_id}/_authenticate",
                  {"client_secret": client_secret, "success": "true" if success else "false"})

    def intents_with(self, name: str, value: str) -> list[dict[str, Any]]:
        listed = self.call("GET", "/v1/payment_intents?limit=100")["data"]
        return [i for i in listed if (i.get("metadata") or {}).get(name) == value]

    # The proxy ------------------------------------------------------------------------------
    def _forward(self, method: str, path: str, body: bytes | None,
                 headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        passed = {k: v for k, v in (headers or {}).items()
                  if k.lower() in ("authorization", "content-type")}
        passed.setdefault("authorization", f"Bearer {API_KEY}")
        request = urllib.request.Request(f"{self.upstream}{path}", data=body, method=method,
                                         headers=passed)
        if body is not None and "Content-Type" not in request.headers:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as ex:
            return ex.code, ex.read()

    def handle(self, method: str, path: str, body: bytes | None,
               headers: dict[str, str]) -> tuple[int, bytes] | None:
        """The answer to send, or None to drop the connection unanswered."""
        parsed = urllib.parse.urlsplit(path)
        if method == "GET" and parsed.path == "/v1/payment_intents/search":
            return self._search(urllib.parse.parse_qs(parsed.query))
        key = headers.get("idempotency-key")
        if method != "POST" or not key:
            return self._post_or_get(method, path, body, headers)
        fingerprint = hashlib.sha256(f"{method} {path} ".encode() + (body or b"")).hexdigest()
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            earlier = self._answers.get(key)
            if earlier is not None:
                if earlier[0] != fingerprint:
                    return 400, _error("idempotency_error", "Keys for idempotent requests can "
                                       "only be used with the same parameters they were "
                                       "first used with.")
                return earlier[1], earlier[2]
            status, answer = self._post_or_get(method, path, body, headers) or (0, b"")
            if status < 500:
                self._answers[key] = (fingerprint, status, answer)
        with self._lock:
            lost = parsed.path in self._lose
            self._lose.discard(parsed.path)
        return None if lost else (status, answer)

    def _post_or_get(self, method: str, path: str, body: bytes | None,
                     headers: dict[str, str]) -> tuple[int, bytes]:
        if method == "POST" and path == "/v1/refunds":
            with self._refund_lock:  # the check and the refund as one step, as Stripe's
                refusal = self._refund_refusal(urllib.parse.parse_qs((body or b"").decode()))
                if refusal is not None:
                    return refusal
                return self._forward(method, path, body, headers)
        return self._forward(method, path, body, headers)

    def _refund_refusal(self, form: dict[str, list[str]]) -> tuple[int, bytes] | None:
        intent_id = (form.get("payment_intent") or [""])[0]
        if not intent_id:
            return None
        status, answer = self._forward("GET", f"/v1/payment_intents/{intent_id}", None)
        if status != 200:
            return status, answer
        intent = json.loads(answer)
        charge = intent.get("latest_charge")
        if not charge:
            return 400, _error("invalid_request_error", "This PaymentIntent has no charge.")
        if isinstance(charge, str):  # Stripe answers its id; localstripe the whole charge
            charge = json.loads(self._forward("GET", f"/v1/charges/{charge}", None)[1])
        charge_id = charge["id"]
        left = int(charge["amount"]) - int(charge.get("amount_refunded") or 0)
        wanted = int((form.get("amount") or [str(left)])[0])
        if left <= 0:
            return 400, _error("invalid_request_error",
                               f"Charge {charge_id} has already been refunded.",
                               "charge_already_refunded")
        if wanted > left:
            return 400, _error("invalid_request_error",
                               f"Refund amount ({wanted}) is greater than unrefunded amount "
                               f"on charge ({left})", "amount_too_large")
        return None

    def _search(self, query: dict[str, list[str]]) -> tuple[int, bytes]:
        match = _SEARCH.match((query.get("query") or [""])[0])
        if match is None:
            return 400, _error("invalid_request_error", "unsupported search query")
        name, value = match.group(1), re.sub(r"\\(.)", r"\1", match.group(2))
        found = [] if self.search_lags else self.intents_with(name, value)
        limit = int((query.get("limit") or ["10"])[0])
        return 200, json.dumps({"object": "search_result", "data": found[:limit],
                                "has_more": len(found) > limit,
                                "url": "/v1/payment_intents/search"}).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    answer = proxy.handle(self.command, self.path, body, headers)
                except Exception as ex:  # a bug here shows as Stripe's 500, not a lost answer
                    answer = 500, _error("api_error", f"proxy: {ex!r}")
                if answer is None:
                    self.close_connection = True
                    self.connection.shutdown(2)  # the answer is lost on the way back
                    return
                status, data = answer
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    @contextmanager
    def running(self) -> Iterator[StripeProxy]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
