"""tollgate.task(...): attribution carried by contextvars, through asyncio tasks and (handed over) threads."""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
import threading
from typing import Any

import tollgate
from tollgate import Tollgate

from .fake_ingest import FakeIngest

CALL = {"provider": "openai", "model": "gpt-4o-mini", "usage": {"input_tokens": 12, "output_tokens": 4}}


def delivered(client: Tollgate, ingest: FakeIngest, ids: list[str]) -> list[dict[str, Any]]:
    assert client.flush(10)
    return [ingest.stored[i] for i in ids]


def test_a_task_attributes_every_call_inside_it(ingest: FakeIngest) -> None:
    client = Tollgate("k", ingest.url, flush_at_exit=False)
    with tollgate.task(
        "resolve-ticket", customer="acme", feature="support", session_id="s-1", metadata={"tier": "gold"}
    ) as run:
        ids = [client.track(**CALL), client.track(**CALL, feature="triage", metadata={"step": "2"})]
    first, second = delivered(client, ingest, ids)
    assert first["external_customer_id"] == "acme" and first["task_id"] == run.task_id
    assert first["feature"] == "support" and first["session_id"] == "s-1"
    assert first["metadata"] == {"task_name": "resolve-ticket", "tier": "gold"}
    assert second["feature"] == "triage" and second["metadata"] == {
        "task_name": "resolve-ticket",
        "tier": "gold",
        "step": "2",
    }
    assert tollgate.current_task() is None
    client.shutdown(1)


def test_nested_tasks_inherit_what_they_do_not_override_and_each_run_has_its_own_task_id(ingest: FakeIngest) -> None:
    client = Tollgate("k", ingest.url, flush_at_exit=False)
    with tollgate.task("outer", customer="acme", feature="support") as outer:
        with client.task("inner", feature="search") as inner:
            inner_id = client.track(**CALL)
        outer_id = client.track(**CALL)
    with tollgate.task("outer", customer="acme") as again:
        pass
    inner_event, outer_event = delivered(client, ingest, [inner_id, outer_id])
    assert inner_event["external_customer_id"] == "acme" and inner_event["feature"] == "search"
    assert inner_event["metadata"]["task_name"] == "inner" and inner_event["task_id"] == inner.task_id
    assert outer_event["feature"] == "support" and outer_event["task_id"] == outer.task_id
    assert len({outer.task_id, inner.task_id, again.task_id}) == 3
    client.shutdown(1)


def test_a_decorated_function_is_one_run_of_the_task_per_call(ingest: FakeIngest) -> None:
    client = Tollgate("k", ingest.url, flush_at_exit=False)

    @tollgate.task("summarise", customer="acme")
    def summarise() -> str:
        return client.track(**CALL)

    @tollgate.task("summarise-async", customer="initech")
    async def summarise_async() -> str:
        return client.track(**CALL)

    events = delivered(client, ingest, [summarise(), summarise(), asyncio.run(summarise_async())])
    assert [e["external_customer_id"] for e in events] == ["acme", "acme", "initech"]
    assert events[0]["task_id"] != events[1]["task_id"]
    assert events[2]["metadata"] == {"task_name": "summarise-async"}
    client.shutdown(1)


def test_asyncio_tasks_started_inside_a_task_belong_to_it(ingest: FakeIngest) -> None:
    client = Tollgate("k", ingest.url, flush_at_exit=False)

    async def call() -> str:
        await asyncio.sleep(0.01)
        return client.track(**CALL)

    async def agent() -> tuple[list[str], str]:
        async with tollgate.task("fan-out", customer="acme") as run:
            ids = await asyncio.gather(*(asyncio.create_task(call()) for _ in range(5)))
        return list(ids), run.task_id

    ids, task_id = asyncio.run(agent())
    assert {(e["external_customer_id"], e["task_id"]) for e in delivered(client, ingest, ids)} == {("acme", task_id)}
    client.shutdown(1)


def test_threads_belong_to_the_task_they_are_handed_over_in(ingest: FakeIngest) -> None:
    client = Tollgate("k", ingest.url, flush_at_exit=False, customer="fallback")
    ids: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        tid = client.track(**CALL)
        with lock:
            ids.append(tid)

    with tollgate.task("parallel-tools", customer="acme") as run:
        threads = [threading.Thread(target=tollgate.propagate(work)) for _ in range(2)]
        threads.append(tollgate.Thread(target=work))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with tollgate.ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(lambda _: work(), range(6)))
        bound = tollgate.propagate(work)  # one bound function, run by many threads at once
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as plain_pool:
            list(plain_pool.map(lambda _: bound(), range(6)))
        # A plain thread starts with an empty context (unless Python 3.14+ runs with thread_inherit_context).
        plain = threading.Thread(target=work)
        plain.start()
        plain.join()
    events = delivered(client, ingest, ids)
    attributed = [e for e in events if e.get("task_id") == run.task_id]
    assert {e["external_customer_id"] for e in attributed} == {"acme"}
    if getattr(sys.flags, "thread_inherit_context", 0):
        assert len(attributed) == 16
    else:
        assert len(attributed) == 15
        assert [(e["external_customer_id"], e.get("task_id")) for e in events if e not in attributed] == [
            ("fallback", None)
        ]
    client.shutdown(1)
