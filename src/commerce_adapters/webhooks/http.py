"""The webhook sender on the standard library's HTTP client (no extra to install)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping


class UrllibSender:
    """POSTs a delivery; any answer is a status (4xx and 5xx too), no answer an OSError."""

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
        try:
            # only http(s) URLs are registered (WebhookService checks)
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as ex:
            return int(ex.code)
