"""npm run bench:sdk-python: what the Python SDK costs an agent. track() per call (median µs; target ≤ 5 µs)
and events/s delivered over HTTP to the real Tollgate api, which it starts on a fresh migrated database of
its own (libs/testing/src/launch/api.ts, from the TypeScript sources). TOLLGATE_BENCH_URL=… with
TOLLGATE_BENCH_KEY=<ingest key> measures against a running api instead. BENCH_EVENTS (events delivered per
run, default 100,000) and BENCH_ROUNDS (rounds of 1,000 track() calls, default 300) size it.
Ends with one JSON line: {"bench": "sdk-python", "track_us_median", "delivered_per_s", …}.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "libs/sdk-python/src"))

import tollgate  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "300"))
# What an agent's call reports (as bench/events.ts sends): every usage dimension, three metadata keys, the task's
# attribution, one of 500 customers.
USAGE = {
    "input_tokens": 176,
    "cache_read_tokens": 1024,
    "cache_write_tokens": 512,
    "cache_write_1h_tokens": 0,
    "output_tokens": 212,
    "reasoning_tokens": 128,
    "audio_input_tokens": 0,
    "audio_output_tokens": 0,
    "images": 0,
    "web_searches": 1,
    "requests": 1,
}
CUSTOMERS = [f"bench-customer-{i}" for i in range(500)]


def start_api() -> tuple[str, str, subprocess.Popen[str] | None]:
    url = os.environ.get("TOLLGATE_BENCH_URL")
    if url:
        return url, os.environ["TOLLGATE_BENCH_KEY"], None
    launcher = subprocess.Popen(
        ["node", "-r", str(ROOT / "tools/ts-register.js"), str(ROOT / "libs/testing/src/launch/api.ts")],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert launcher.stdout is not None
    line = launcher.stdout.readline()
    if not line:
        raise SystemExit("the api launcher gave no answer (did `npm run db:generate` run?)")
    info = json.loads(line)
    return info["url"], info["ingest_key"], launcher


def track_cost(url: str, key: str) -> float:
    """Median per call over rounds of 1,000 calls inside a task (the usual agent shape), delivery running
    between rounds as it does in an agent."""
    client = tollgate.Tollgate(key, url, flush_at_exit=False)
    per_call: list[float] = []
    with tollgate.task("resolve-ticket", feature="support-chat"):
        for round in range(ROUNDS):
            start = time.perf_counter_ns()
            for i in range(1_000):
                client.track(
                    provider="openai",
                    model="gpt-4o-mini",
                    usage=USAGE,
                    customer=CUSTOMERS[i % 500],
                    metadata={"agent": "triage", "region": "eu-west-1", "step": "plan"},
                )
            if round >= ROUNDS // 10:  # the first rounds warm caches up
                per_call.append((time.perf_counter_ns() - start) / 1_000)
            client.flush()
    client.shutdown()
    return statistics.median(per_call) / 1_000


def delivery_rate(url: str, key: str, max_batch_size: int, max_concurrency: int) -> int:
    delivered = 0

    def count(results: object) -> None:
        nonlocal delivered
        delivered += len(results)  # type: ignore[arg-type]

    client = tollgate.Tollgate(
        key, url, flush_at_exit=False, max_queue_size=EVENTS,
        max_batch_size=max_batch_size, max_concurrency=max_concurrency, on_delivered=count,
    )  # fmt: skip
    start = time.perf_counter()
    with tollgate.task("resolve-ticket", feature="support-chat"):
        for i in range(EVENTS):
            client.track(
                provider="openai",
                model="gpt-4o-mini",
                usage=USAGE,
                customer=CUSTOMERS[i % 500],
                metadata={"agent": "triage", "region": "eu-west-1", "step": "plan"},
            )
    client.flush()
    seconds = time.perf_counter() - start
    client.shutdown()
    if delivered != EVENTS:
        raise SystemExit(f"delivered {delivered} of {EVENTS}: {client.stats()}")
    return round(EVENTS / seconds)


def memory_with_10k_queued(url: str, key: str) -> float:
    client = tollgate.Tollgate(key, url, flush_at_exit=False, max_batch_size=1_000, flush_interval=3600)
    client._kick = lambda: None  # nothing leaves during the measurement
    gc.collect()
    tracemalloc.start()
    with tollgate.task("bench", customer="bench-customer", feature="bench"):
        for i in range(10_000):
            client.track(provider="openai", model="gpt-4o-mini", usage=USAGE, metadata={"request_id": f"req-{i}"})
    gc.collect()
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    if client.stats()["queued"] != 10_000:
        raise SystemExit("expected 10,000 queued events")
    client._queue.clear()
    client.shutdown()
    return size / (1024 * 1024)


def main() -> None:
    url, key, launcher = start_api()
    try:
        print(f"delivering to the Tollgate api at {url}")
        mb = memory_with_10k_queued(url, key)
        print(f"memory with 10,000 events queued: {mb:.2f} MB ({round(mb * 1024 * 1024 / 10_000)} bytes/event)")
        track_us = track_cost(url, key)
        print(f"track(): median {track_us:.2f} µs per call (target ≤ 5 µs)")
        defaults = delivery_rate(url, key, 100, 2)
        print(f"delivered: {defaults:,} events/s (defaults: batches of 100, 2 requests in flight)")
        tuned = delivery_rate(url, key, 1_000, 4)
        print(f"delivered: {tuned:,} events/s (batches of 1,000, 4 requests in flight)")
        print(json.dumps({"bench": "sdk-python", "track_us_median": round(track_us, 2), "delivered_per_s": defaults,
                          "delivered_per_s_tuned": tuned, "memory_mb_10k_queued": round(mb, 2)}))  # fmt: skip
    finally:
        if launcher is not None:
            assert launcher.stdin is not None
            launcher.stdin.close()
            launcher.wait(60)


if __name__ == "__main__":
    main()
