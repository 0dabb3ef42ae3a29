"""The client's delivery rules, against a fake ingest API that misbehaves on cue."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
import tracemalloc
from typing import Any

import pytest

from tollgate import Tollgate, TollgateDeliveryError, uuid7
from tollgate._delivery import backoff_delay, parse_retry_after, retry_delay
from tollgate._uuid7 import uuid7_time

from .fake_ingest import FakeIngest

CALL = {"provider": "openai", "model": "gpt-4o-mini", "usage": {"input_tokens": 12, "output_tokens": 4}}


def make(ingest: FakeIngest, **options: Any) -> Tollgate:
    defaults: dict[str, Any] = {"customer": "acme", "flush_at_exit": False, "retry_base": 0.01, "retry_max": 0.05}
    return Tollgate("tg_ingest_test", ingest.url, **{**defaults, **options})


def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_track_returns_a_uuid7_made_now_and_the_event_is_delivered(ingest: FakeIngest) -> None:
    client = make(ingest)
    before = time.time_ns() // 1_000_000
    tid = client.track(**CALL, feature="support", metadata={"ticket": "T-1"})
    assert len(tid) == 36 and tid[14] == "7" and tid[19] in "89ab"
    assert before <= uuid7_time(tid) <= time.time_ns() // 1_000_000
    assert client.flush(10)
    event = ingest.stored[tid]
    assert event == {
        "transaction_id": tid,
        "external_customer_id": "acme",
        "timestamp": event["timestamp"],
        "provider": "openai",
        "model": "gpt-4o-mini",
        "usage": {"input_tokens": 12, "output_tokens": 4},
        "feature": "support",
        "metadata": {"ticket": "T-1"},
    }
    assert before <= event["timestamp"] <= time.time_ns() // 1_000_000
    assert client.stats() == {
        "queued": 0,
        "in_flight": 0,
        "accepted": 1,
        "duplicate": 0,
        "rejected": 0,
        "dropped": 0,
        "retries": 0,
        "usage_unknown": 0,
    }
    client.shutdown(1)


def test_uuid7_ids_are_unique_and_time_ordered_by_millisecond() -> None:
    ids = [uuid7() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    times = [uuid7_time(i) for i in ids]
    assert times == sorted(times)
    assert ids == sorted(ids)  # counted up within a millisecond
    assert all(i[14] == "7" and i[19] in "89ab" for i in ids)  # version 7, variant 10


def test_uuid7_ids_of_one_millisecond_from_many_threads_are_unique_and_each_threads_are_ordered() -> None:
    ms = time.time_ns() // 1_000_000
    made: list[list[str]] = []

    def make() -> None:
        ids = [uuid7(ms) for _ in range(5_000)]  # runs of 256 used up and moved on, from 8 threads at once
        made.append(ids)

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for ids in made for i in ids]
    assert len(set(every)) == len(every) == 40_000
    assert all(ids == sorted(ids) for ids in made)
    assert {uuid7_time(i) for i in every} == {ms}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_a_forked_child_never_makes_the_parents_uuid7_ids() -> None:
    ms = time.time_ns() // 1_000_000
    uuid7(ms)  # the parent is counting within this millisecond when it forks
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(write, uuid7(ms).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 100).decode()
    os.close(read)
    assert uuid7_time(child) == ms
    assert child != uuid7(ms)  # the parent's next id in the same millisecond


def test_track_never_raises_and_reports_what_it_refuses(ingest: FakeIngest) -> None:
    errors: list[Exception] = []
    dropped: list[tuple[list[dict[str, Any]], str]] = []
    client = make(
        ingest,
        customer=None,
        on_error=errors.append,
        on_drop=lambda events, reason: dropped.append((list(events), reason)),
    )
    client.track(**CALL)  # no customer
    client.track(**{**CALL, "usage": {"input_tokens": -1}}, customer="acme")
    client.track(**{**CALL, "usage": {"thoughts": 3}}, customer="acme")
    client.track(**{**CALL, "usage": {"input_tokens": 1.5}}, customer="acme")
    client.track(**{**CALL, "usage": None}, customer="acme")  # type: ignore[arg-type]
    client.track(**{**CALL, "model": ""}, customer="acme")
    client.track(**CALL, customer="acme", status="maybe")
    assert [reason for _, reason in dropped] == ["invalid"] * 7
    assert all(isinstance(e, TollgateDeliveryError) and e.code == "invalid_event" for e in errors)
    assert "no customer" in str(errors[0]) and "thoughts" in str(errors[2])
    assert client.stats()["dropped"] == 7
    assert client.flush(5) and ingest.attempts == []
    client.shutdown(1)


def test_a_raising_callback_never_reaches_the_agent(ingest: FakeIngest) -> None:
    def explode(*_: Any) -> None:
        raise RuntimeError("callback bug")

    client = make(ingest, customer=None, on_error=explode, on_drop=explode, on_delivered=explode)
    client.track(**CALL)  # refused: on_error and on_drop raise
    tid = client.track(**CALL, customer="acme")
    assert client.flush(5)
    assert tid in ingest.stored
    client.shutdown(1)


def test_batches_by_size(ingest: FakeIngest) -> None:
    client = make(ingest, max_batch_size=10, flush_interval=60)
    ids = [client.track(**CALL) for _ in range(25)]
    wait_until(lambda: len(ingest.stored) >= 20)
    assert [len(a) for a in ingest.attempts] == [10, 10]
    assert client.stats()["queued"] == 5  # the partial batch waits for its interval
    assert client.flush(5)
    assert [len(a) for a in ingest.attempts] == [10, 10, 5]
    assert sorted(ingest.sent_ids()) == sorted(ids)  # two batches travel at once: any order
    client.shutdown(1)


def test_a_partial_batch_goes_after_flush_interval(ingest: FakeIngest) -> None:
    client = make(ingest, max_batch_size=100, flush_interval=0.2)
    tid = client.track(**CALL)
    wait_until(lambda: tid in ingest.stored)
    assert ingest.attempts == [[tid]]
    client.shutdown(1)


def test_retries_reuse_the_transaction_id_and_honour_retry_after(ingest: FakeIngest) -> None:
    ingest.script += [(503, {"retry-after": "0.3"}, None), (429, {"retry-after": "0"}, None), (500, {}, None)]
    client = make(ingest, retry_max=5.0, retry_base=0.01)
    started = time.monotonic()
    tid = client.track(**CALL)
    assert client.flush(10)
    assert time.monotonic() - started >= 0.3  # waited what Retry-After asked
    assert ingest.sent_ids() == [tid] * 4
    assert list(ingest.stored) == [tid]
    assert client.stats()["retries"] == 3 and client.stats()["accepted"] == 1
    client.shutdown(1)


def test_a_network_error_is_retried() -> None:
    # Nothing listens on the first URL's port: connection refused, then the client gives up after its retries.
    errors: list[Exception] = []
    dropped: list[str] = []
    client = Tollgate(
        "k",
        "http://127.0.0.1:9",
        customer="acme",
        flush_at_exit=False,
        retry_base=0.001,
        retry_max=0.002,
        max_retries=2,
        on_error=errors.append,
        on_drop=lambda events, reason: dropped.append(reason),
    )
    client.track(**CALL)
    assert client.flush(10)
    assert dropped == ["delivery_failed"]
    assert "after 3 attempts" in str(errors[-1]) and client.stats()["retries"] == 2
    client.shutdown(1)


def test_a_refused_batch_is_not_retried(ingest: FakeIngest) -> None:
    ingest.script.append((401, {}, {"error": {"code": "unauthorized", "message": "bad key"}}))
    errors: list[Exception] = []
    dropped: list[str] = []
    client = make(ingest, on_error=errors.append, on_drop=lambda events, reason: dropped.append(reason))
    client.track(**CALL)
    assert client.flush(5)
    assert len(ingest.attempts) == 1 and dropped == ["delivery_failed"]
    error = errors[0]
    assert isinstance(error, TollgateDeliveryError) and (error.status, error.code) == (401, "unauthorized")
    client.shutdown(1)


def test_a_413_splits_the_batch(ingest: FakeIngest) -> None:
    ingest.script.append((413, {}, {"error": {"code": "payload_too_large", "message": "too large"}}))
    client = make(ingest, max_batch_size=4, flush_interval=60)
    ids = [client.track(**CALL) for _ in range(4)]
    assert client.flush(5)
    assert [len(a) for a in ingest.attempts] == [4, 2, 2]
    assert sorted(ingest.stored) == sorted(ids)
    client.shutdown(1)


def test_a_rejected_event_is_reported_with_the_api_code(ingest: FakeIngest) -> None:
    errors: list[Exception] = []
    delivered: list[Any] = []
    client = make(ingest, on_error=errors.append, on_delivered=delivered.extend)
    good = client.track(**CALL)
    bad = client.track(**CALL)
    ingest.reject[bad] = "timestamp_out_of_range"
    assert client.flush(5)
    assert [r["status"] for r in delivered] == ["accepted", "rejected"]
    assert [getattr(e, "code", None) for e in errors] == ["timestamp_out_of_range"]
    assert client.stats()["accepted"] == 1 and client.stats()["rejected"] == 1 and good in ingest.stored
    client.shutdown(1)


def test_a_full_queue_drops_new_events_reports_them_and_memory_stays_bounded(ingest: FakeIngest) -> None:
    ingest.script += [(503, {"retry-after": "60"}, None)] * 5  # the API is down: nothing leaves
    dropped = {"queue_full": 0}

    def on_drop(events: Any, reason: str) -> None:
        dropped[reason] += len(events)

    client = make(ingest, max_queue_size=1_000, max_batch_size=100, max_concurrency=1, retry_max=60, on_drop=on_drop)
    for _ in range(2_000):
        client.track(**CALL)
    gc.collect()
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    for _ in range(50_000):
        client.track(**CALL)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - baseline
    tracemalloc.stop()
    stats = client.stats()
    # 1,000 wait in the queue, one batch of 100 is in flight (retrying), everything else was dropped.
    assert stats["queued"] + stats["in_flight"] <= 1_100
    assert (
        stats["dropped"] == 52_000 - stats["queued"] - stats["in_flight"] and dropped["queue_full"] == stats["dropped"]
    )
    assert grown < 200_000, f"memory grew by {grown} bytes while dropping"
    client.shutdown(0.1)


def test_shutdown_gives_up_retrying_at_its_timeout(ingest: FakeIngest) -> None:
    ingest.script += [(503, {"retry-after": "30"}, None)] * 10
    dropped: list[str] = []
    client = make(ingest, retry_max=30, on_drop=lambda events, reason: dropped.append(reason))
    client.track(**CALL)
    started = time.monotonic()
    assert client.shutdown(timeout=0.5) is True
    assert time.monotonic() - started < 5
    assert dropped == ["delivery_failed"]
    client.track(**CALL)  # after shutdown: refused, never sent
    assert dropped == ["delivery_failed", "shutdown"]


def test_track_from_many_threads_delivers_every_event_once(ingest: FakeIngest) -> None:
    client = make(ingest, max_batch_size=50, max_concurrency=3)
    ids: list[str] = []
    lock = threading.Lock()

    def agent() -> None:
        mine = [client.track(**CALL) for _ in range(500)]
        with lock:
            ids.extend(mine)

    threads = [threading.Thread(target=agent) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert client.flush(20)
    assert sorted(ingest.stored) == sorted(ids) and len(ids) == 4_000
    assert len(ingest.sent_ids()) == 4_000  # none sent twice
    client.shutdown(1)


def test_usable_from_asyncio_without_blocking_the_loop(ingest: FakeIngest) -> None:
    ingest.delay = 0.2  # each request takes 200 ms

    async def agent() -> tuple[list[str], int]:
        client = make(ingest)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        ticking = asyncio.create_task(ticker())
        ids = [client.track(**CALL) for _ in range(10)]
        assert await client.aflush(10)
        ticking.cancel()
        await client.ashutdown(1)
        return ids, ticks

    ids, ticks = asyncio.run(agent())
    assert sorted(ingest.stored) == sorted(ids)
    assert ticks >= 10  # the loop kept running while delivery waited on the API


def test_backoff_has_full_jitter_under_a_cap() -> None:
    assert backoff_delay(0, 0.1, 5.0, lambda: 0.999) == pytest.approx(0.0999)
    assert backoff_delay(3, 0.1, 5.0, lambda: 0.5) == pytest.approx(0.4)
    assert backoff_delay(30, 0.1, 5.0, lambda: 1.0) == 5.0
    assert retry_delay(0, 1.5, 0.1, 5.0, lambda: 0) == 1.5
    assert retry_delay(0, 60, 0.1, 5.0, lambda: 0) == 5.0


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(" 0.5 ") == 0.5
    now = 1735689600.0  # 2025-01-01T00:00:00Z
    assert parse_retry_after("Wed, 01 Jan 2025 00:00:03 GMT", now) == 3.0
    assert parse_retry_after("Tue, 31 Dec 2024 23:59:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_a_forked_child_sends_its_own_events_never_the_parents(ingest: FakeIngest) -> None:
    client = make(ingest, flush_interval=60)
    parents = client.track(**CALL)  # queued in the parent when it forks
    pid = os.fork()
    if pid == 0:  # the child: the parent's queue is not its to send; its own event is
        code = 0
        try:
            child = client.track(**CALL, transaction_id="from-the-child")
            code = 0 if client.flush(10) and child == "from-the-child" else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert client.flush(10)
    assert sorted(ingest.sent_ids()) == sorted([parents, "from-the-child"])  # each sent once
    client.shutdown(1)
