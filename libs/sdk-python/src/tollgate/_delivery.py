"""One ``POST /v1/events``, classified; retry timing. Standard library only (http.client, keep-alive)."""

from __future__ import annotations

import email.utils
import http.client
import json
import random
import re
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

#: Nothing was stored (docs/api.md: 429 and 503 store nothing), or the answer is unknown: send again.
RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})


def backoff_delay(attempt: int, base: float, cap: float, rand: Any = random.random) -> float:
    """Full jitter: a uniform pick in [0, base·2^attempt], capped, so agents recovering from an outage do not
    knock again in lockstep."""
    return rand() * min(cap, base * 2**attempt)


_DELTA_SECONDS = re.compile(r"^\d+(\.\d+)?$")


def parse_retry_after(header: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); None if unreadable."""
    if header is None or not header.strip():
        return None
    value = header.strip()
    if _DELTA_SECONDS.match(value):
        return float(value)
    try:
        at = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if at is None:
        return None
    return max(0.0, at.timestamp() - (time.time() if now is None else now))


def retry_delay(attempt: int, retry_after: float | None, base: float, cap: float, rand: Any = random.random) -> float:
    """The server's Retry-After wins over our own backoff (it knows when it will be ready), capped."""
    if retry_after is not None:
        return min(retry_after, cap)
    return backoff_delay(attempt, base, cap, rand)


@dataclass
class Outcome:
    #: "delivered" | "retry" | "too_large" | "refused"
    kind: str
    results: list[dict[str, Any]] | None = None
    status: int | None = None
    retry_after: float | None = None
    code: str | None = None
    message: str = ""


class Endpoint:
    """A keep-alive HTTP(S) connection to the API; one per sending thread (http.client is not thread-safe)."""

    def __init__(self, base_url: str, api_key: str, timeout: float) -> None:
        parts = urlsplit(base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._headers = {"authorization": f"Bearer {api_key}", "content-type": "application/json"}
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._https:
                self._conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout, context=ssl.create_default_context()
                )
            else:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, Any, bytes]:
        """(status, headers, body). A kept-alive connection the server has closed meanwhile is reopened once:
        the request never reached it."""
        for attempt in (0, 1):
            reused = self._conn is not None
            conn = self._connection()
            try:
                conn.request(method, self._prefix + path, body=body, headers=self._headers)
                response = conn.getresponse()
                data = response.read()
                if response.will_close:
                    self.close()
                return response.status, response.headers, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if not reused or attempt == 1:
                    raise
            except BaseException:
                self.close()
                raise
        raise AssertionError("unreachable")

    def post_events(self, events: Sequence[dict[str, Any]]) -> Outcome:
        """Never raises."""
        try:
            body = json.dumps({"events": events}, separators=(",", ":")).encode()
            status, headers, data = self.request("POST", "/v1/events", body)
        except Exception as error:  # noqa: BLE001 - any failure to get an answer is a network problem
            return Outcome("retry", message=f"network: {error!r}")
        try:
            parsed: Any = json.loads(data) if data else None
        except ValueError:
            parsed = None
        if 200 <= status < 300:
            results = parsed.get("results") if isinstance(parsed, dict) else None
            if isinstance(results, list) and len(results) == len(events):
                return Outcome("delivered", results=results, status=status)
            return Outcome("retry", status=status, message="malformed response from the ingest API")
        error = parsed.get("error") if isinstance(parsed, dict) else None
        error = error if isinstance(error, dict) else {}
        message = f"HTTP {status}" + (f": {error['message']}" if error.get("message") else "")
        if status == 413:
            return Outcome("too_large", status=status)
        if status in RETRYABLE or status >= 500:
            return Outcome(
                "retry", status=status, retry_after=parse_retry_after(headers.get("retry-after")), message=message
            )
        return Outcome("refused", status=status, code=error.get("code"), message=message)
