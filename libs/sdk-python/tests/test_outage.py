"""The real api in an outage: its Postgres sits behind a proxy the test cuts, so the api itself answers 503
(with Retry-After); the proxy is restored after the second 503. The event must be stored once, under the
one transaction id every attempt carried."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from tollgate import Tollgate

from .launched import Api


@pytest.fixture(scope="module")
def outage_api() -> Iterator[Api]:
    server = Api("--db-proxy")
    yield server
    server.close()


class Recorder:
    """An HTTP hop in front of the api that records every POST /v1/events: its transaction ids and the api's
    status. After the second 503 it restores the database."""

    def __init__(self, api: Api) -> None:
        self.attempts: list[tuple[list[str], int, str | None]] = []
        target = urlsplit(api.url)
        recorder = self

        class Hop(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                upstream.request(
                    "POST", self.path, body, {k: v for k, v in self.headers.items() if k.lower() != "host"}
                )
                response = upstream.getresponse()
                data = response.read()
                ids = [e["transaction_id"] for e in json.loads(body)["events"]]
                recorder.attempts.append((ids, response.status, response.getheader("retry-after")))
                if response.status == 503 and sum(1 for a in recorder.attempts if a[1] == 503) == 2:
                    api.command("restore")
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "keep-alive"):
                        self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Hop)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_503_503_200_is_stored_once_under_one_transaction_id(outage_api: Api, customer: str) -> None:
    recorder = Recorder(outage_api)
    try:
        outage_api.command("cut")
        # retry_max caps the api's Retry-After (2 s) so the test does not wait it out.
        client = Tollgate(outage_api.ingest_key, recorder.url, flush_at_exit=False, retry_base=0.01, retry_max=0.05)
        tid = client.track(
            customer=customer, provider="openai", model="gpt-4o-mini", usage={"input_tokens": 10, "output_tokens": 3}
        )
        assert client.shutdown(timeout=20)
        assert [(ids, status) for ids, status, _ in recorder.attempts] == [([tid], 503), ([tid], 503), ([tid], 200)]
        assert all(retry_after for _, status, retry_after in recorder.attempts if status == 503)
        assert client.stats()["accepted"] == 1 and client.stats()["retries"] == 2 and client.stats()["dropped"] == 0
        (stored,) = outage_api.events(customer)
        assert stored["transaction_id"] == tid

        # The same event delivered again is a duplicate, never a second event.
        statuses: list[str] = []
        replay = Tollgate(
            outage_api.ingest_key,
            outage_api.url,
            flush_at_exit=False,
            on_delivered=lambda r: statuses.extend(x["status"] for x in r),
        )
        replay.track(
            customer=customer,
            provider="openai",
            model="gpt-4o-mini",
            usage={"input_tokens": 10, "output_tokens": 3},
            transaction_id=tid,
            timestamp=_ms(stored["timestamp"]),
        )
        assert replay.shutdown(5)
        assert statuses == ["duplicate"] and len(outage_api.events(customer)) == 1
    finally:
        recorder.close()


def _ms(rfc3339: str) -> int:
    return round(datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp() * 1000)
