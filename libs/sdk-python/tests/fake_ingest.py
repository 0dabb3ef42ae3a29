"""A fake ingest API in this process, for the client's delivery rules that need a server misbehaving on cue
(413, 429 with Retry-After, refusals, per-event rejections). Stores events by transaction id, as the real
API does: the same id again is a duplicate."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeIngest:
    def __init__(self) -> None:
        self.stored: dict[str, dict[str, Any]] = {}
        #: Every POST /v1/events body's transaction ids, in order.
        self.attempts: list[list[str]] = []
        #: Answers for the next requests, in order: (status, headers, body or None).
        self.script: list[tuple[int, dict[str, str], Any]] = []
        #: transaction id -> error code: answered as a per-event rejection.
        self.reject: dict[str, str] = {}
        self.entitlements: dict[str, dict[str, Any]] = {}
        self.entitlement_requests: list[str] = []
        self.delay = 0.0
        self.lock = threading.Lock()
        ingest = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                parts = self.path.split("/")
                if len(parts) == 5 and parts[1:3] == ["v1", "customers"] and parts[4] == "entitlement":
                    customer = parts[3]
                    with ingest.lock:
                        ingest.entitlement_requests.append(customer)
                        entitlement = ingest.entitlements.get(customer)
                    if entitlement is None:
                        return self._send(404, {"error": {"code": "not_found", "message": "customer not found"}})
                    if "status" in entitlement:
                        return self._send(entitlement["status"], None)
                    return self._send(200, entitlement)
                self._send(404, {"error": {"code": "not_found", "message": self.path}})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                events = json.loads(self.rfile.read(length))["events"]
                with ingest.lock:
                    ingest.attempts.append([e["transaction_id"] for e in events])
                    scripted = ingest.script.pop(0) if ingest.script else None
                if ingest.delay:
                    time.sleep(ingest.delay)
                if scripted is not None:
                    status, headers, body = scripted
                    return self._send(status, body, headers)
                results = []
                with ingest.lock:
                    for event in events:
                        tid = event["transaction_id"]
                        if tid in ingest.reject:
                            results.append(
                                {
                                    "transaction_id": tid,
                                    "status": "rejected",
                                    "error": {"code": ingest.reject[tid], "message": "no"},
                                }
                            )
                        elif tid in ingest.stored:
                            results.append({"transaction_id": tid, "status": "duplicate"})
                        else:
                            ingest.stored[tid] = event
                            results.append({"transaction_id": tid, "status": "accepted"})
                self._send(200, {"results": results})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def sent_ids(self) -> list[str]:
        with self.lock:
            return [tid for attempt in self.attempts for tid in attempt]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
