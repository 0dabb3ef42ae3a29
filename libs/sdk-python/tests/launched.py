"""The project's own TypeScript servers (the real Tollgate api, the fake LLM server) as child processes,
started from libs/testing/src/launch/*.ts: each prints one JSON line when ready, answers one JSON line per
command written to its stdin, and stops (dropping its database) when stdin closes."""

from __future__ import annotations

import json
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


class Launched:
    def __init__(self, script: str, *args: str, timeout: float = 180.0) -> None:
        self.process = subprocess.Popen(
            ["node", "-r", str(ROOT / "tools/ts-register.js"), str(ROOT / "libs/testing/src/launch" / script), *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._stderr: list[str] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.info = self._read_line(timeout)
        self._lock = threading.Lock()

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr.append(line)

    def _read_line(self, timeout: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self.process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        if not result or not result[0]:
            self.close()
            raise RuntimeError(f"launcher gave no answer: {''.join(self._stderr)[-4000:]}")
        return json.loads(result[0])

    def command(self, command: str | dict[str, Any]) -> Any:
        with self._lock:
            assert self.process.stdin is not None
            self.process.stdin.write((command if isinstance(command, str) else json.dumps(command)) + "\n")
            self.process.stdin.flush()
            answer = self._read_line(60)
        if not answer["ok"]:
            raise RuntimeError(answer["error"])
        return answer["result"]

    def close(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Api(Launched):
    """The real Tollgate api on a database of its own."""

    def __init__(self, *args: str) -> None:
        super().__init__("api.ts", *args)
        self.url: str = self.info["url"]
        self.ingest_key: str = self.info["ingest_key"]
        self.admin_key: str = self.info["admin_key"]

    def request(self, method: str, path: str, body: Any = None, key: str | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("authorization", f"Bearer {key or self.admin_key}")
        if data is not None:
            request.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def events(self, customer: str) -> list[dict[str, Any]]:
        """The events stored for a customer, in the order they were stored."""
        status, body = self.request(
            "GET", f"/v1/events?external_customer_id={urllib.request.quote(customer)}&limit=1000"
        )
        assert status == 200, body
        return body["data"]


class FakeLlm(Launched):
    """libs/testing/src/fake-llm: OpenAI, Anthropic, Gemini and Bedrock wire protocols with usage in each
    provider's own shape."""

    def __init__(self) -> None:
        super().__init__("fake-llm.ts")
        self.url: str = self.info["url"]

    def fail_next(self, status: int, times: int = 1) -> None:
        self.command({"fail": {"status": status}, "times": times})

    def set_usage(self, provider: str, usage: dict[str, Any] | None) -> None:
        """The usage a provider reports from now on, in its own shape; None: back to the default."""
        self.command({"usage": {"provider": provider, "usage": usage}})

    def requests(self) -> list[dict[str, Any]]:
        return self.command({"requests": True})
