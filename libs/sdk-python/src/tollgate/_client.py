"""The Tollgate client: ``track()`` queues, a background thread batches and delivers."""

from __future__ import annotations

import asyncio
import atexit
import collections
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ._budget import BudgetGuard
from ._context import TaskContext, current_task, task
from ._delivery import Endpoint, Outcome, retry_delay
from ._dimensions import MAX_COUNT, USAGE_DIMENSIONS
from ._errors import BudgetExceeded, TollgateDeliveryError
from ._uuid7 import uuid7

WireEvent = dict[str, Any]

#: Failed calls outside any task, remembered so their repeat is marked ``retry_of``.
MAX_REMEMBERED_FAILURES = 1_000
FAILURE_MEMORY_SECONDS = 600.0
#: How long an idle background thread waits before looking again.
IDLE_WAKE_SECONDS = 5.0

STATUSES = frozenset({"success", "error", "usage_unknown"})
_DIMENSIONS = frozenset(USAGE_DIMENSIONS)
_CURRENT: Any = object()
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MILLISECOND = timedelta(milliseconds=1)
_no_customer = "no customer (pass `customer`, or call inside tollgate.task)"


class Tollgate:
    """Reports model calls to Tollgate's ingest API.

    ``track()`` returns at once and never raises: events wait in a bounded in-memory queue and a background
    thread sends them in batches (by size and by time), retrying what the API could not take. Problems go
    to ``on_error``, events that will not be delivered to ``on_drop(events, reason)``. What is still queued
    when the interpreter exits is delivered then (``atexit``), waiting at most ``exit_timeout`` seconds.
    Times are in seconds.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        customer: str | None = None,
        max_batch_size: int = 100,
        flush_interval: float = 1.0,
        max_queue_size: int = 10_000,
        max_concurrency: int = 2,
        max_retries: int = 8,
        retry_base: float = 0.25,
        retry_max: float = 30.0,
        request_timeout: float = 10.0,
        flush_at_exit: bool = True,
        exit_timeout: float = 5.0,
        budget_guard: bool = False,
        budget_cache_ttl: float = 5.0,
        budget_fail_open: bool = True,
        on_drop: Callable[[Sequence[WireEvent], str], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_delivered: Callable[[Sequence[Mapping[str, Any]]], None] | None = None,
        on_warning: Callable[[dict[str, str]], None] | None = None,
    ) -> None:
        self._api_key = api_key if api_key is not None else os.environ.get("TOLLGATE_API_KEY", "")
        self._base_url = (base_url or os.environ.get("TOLLGATE_BASE_URL") or "http://localhost:3000").rstrip("/")
        #: The customer of calls made outside any ``task()`` and without their own.
        self.default_customer = customer
        self._max_batch = min(1_000, max(1, max_batch_size))
        self._flush_interval = flush_interval
        self._max_queue = max(1, max_queue_size)
        self._max_concurrency = max(1, max_concurrency)
        self._max_retries = max_retries
        self._retry_base = retry_base
        self._retry_max = retry_max
        self._request_timeout = request_timeout
        self._exit_timeout = exit_timeout
        #: Whether instrumented calls check the budget guard first.
        self.guards_calls = budget_guard
        self._budget_options = (budget_cache_ttl, budget_fail_open)
        self._budget: BudgetGuard | None = None
        self._on_drop = on_drop
        self._on_error = on_error
        self._on_delivered = on_delivered
        self._on_warning = on_warning

        self._queue: collections.deque[WireEvent] = collections.deque()
        self._failures: collections.OrderedDict[str, tuple[str, float]] = collections.OrderedDict()
        self._counts = {"accepted": 0, "duplicate": 0, "rejected": 0, "dropped": 0, "retries": 0, "usage_unknown": 0}
        self._counts_lock = threading.Lock()
        # Batches in flight and what flush() waits on.
        self._idle = threading.Condition(threading.Lock())
        self._in_flight: dict[int, list[WireEvent]] = {}
        self._batch_ids = 0
        self._reset_threads()
        self._closed = False
        _all_clients.add(self)
        if flush_at_exit:
            _exit_clients.add(self)

    def _reset_threads(self) -> None:
        """Thread state; also what a forked child starts from (threads do not survive fork)."""
        self._wake = threading.Event()
        self._wake_pending = self._wake.is_set
        self._armed = False
        self._draining = False
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._senders: list[threading.Thread] = []
        self._batches: collections.deque[tuple[int, list[WireEvent]]] = collections.deque()
        self._batch_ready = threading.Semaphore(0)
        self._free_senders = 0
        self._stop = False
        # Retry sleeps wake when a deadline is set (shutdown, exit) and try once more at once.
        self._deadline: float | None = None
        self._deadline_changed = threading.Condition(threading.Lock())
        self._deadline_generation = 0

    # ----- the agent's side -------------------------------------------------------------------------------

    def task(self, name: str, **attribution: Any) -> task:
        """``with client.task("resolve-ticket", customer="acme"):``, the same as ``tollgate.task``."""
        return task(name, **attribution)

    def check_budget(self, customer: str | None = None) -> None:
        """Raises BudgetExceeded when the customer may not make another call (works without ``budget_guard``)."""
        customer = customer or self._customer_of(current_task())
        if customer:
            self.budget_guard.check(customer)

    async def acheck_budget(self, customer: str | None = None) -> None:
        """``check_budget`` for async code: never blocks the event loop."""
        customer = customer or self._customer_of(current_task())
        if customer:
            await self.budget_guard.acheck(customer)

    def flush(self, timeout: float | None = None) -> bool:
        """Sends everything queued now; returns once nothing is queued or in flight (True), or after
        ``timeout`` seconds (False)."""
        if self._idle_now():
            return True
        self._draining = True
        self._kick()
        with self._idle:
            return self._idle.wait_for(self._idle_now, timeout)

    async def aflush(self, timeout: float | None = None) -> bool:
        """``flush`` for async code: waits in a thread, never blocking the event loop."""
        return await asyncio.to_thread(self.flush, timeout)

    def shutdown(self, timeout: float | None = None) -> bool:
        """Stops taking events, delivers what is pending (retries give up after ``timeout``, default
        ``exit_timeout``), stops the background threads and detaches from interpreter exit. Returns whether
        everything was settled."""
        self._closed = True
        self._set_deadline(time.monotonic() + (self._exit_timeout if timeout is None else timeout))
        settled = self.flush(None if timeout is None else timeout + 1.0)
        self._stop_threads()
        _exit_clients.discard(self)
        with self._idle:
            rest = list(self._queue)
            self._queue.clear()
        if rest:
            self._report(
                TollgateDeliveryError(
                    "Tollgate: shutdown timeout: events not sent", [e["transaction_id"] for e in rest]
                )
            )
            self._drop(rest, "shutdown")
        return settled

    async def ashutdown(self, timeout: float | None = None) -> bool:
        return await asyncio.to_thread(self.shutdown, timeout)

    def stats(self) -> dict[str, int]:
        """``queued``, ``in_flight``, ``accepted``, ``duplicate``, ``rejected``, ``dropped``, ``retries``,
        ``usage_unknown`` (events sent flagged: their provider's usage could not be read)."""
        with self._idle:
            in_flight = sum(len(batch) for batch in self._in_flight.values())
        return {"queued": len(self._queue), "in_flight": in_flight, **self._counts}

    # ----- used by the integrations ----------------------------------------------------------------------

    @property
    def budget_guard(self) -> BudgetGuard:
        if self._budget is None:
            ttl, fail_open = self._budget_options
            self._budget = BudgetGuard(self._endpoint, ttl, fail_open)
        return self._budget

    def _customer_of(self, context: TaskContext | None) -> str | None:
        return (context.customer if context else None) or self.default_customer

    def guard(self, context: TaskContext | None) -> None:
        """The budget guard before an instrumented call (blocking; cached answers cost nothing)."""
        customer = self._customer_of(context) if self.guards_calls else None
        if customer:
            verdict = self.budget_guard.cached(customer)
            if isinstance(verdict, BudgetExceeded):
                raise verdict
            if verdict is None:
                self.budget_guard.check(customer)

    async def aguard(self, context: TaskContext | None) -> None:
        customer = self._customer_of(context) if self.guards_calls else None
        if customer:
            await self.budget_guard.acheck(customer)

    def last_failure(self, context: TaskContext | None, fingerprint: str) -> str | None:
        """The transaction id of the last failure of an identical call, if any."""
        if context is not None:
            return context.failures.get(fingerprint)
        entry = self._failures.get(fingerprint)
        return entry[0] if entry and time.monotonic() - entry[1] < FAILURE_MEMORY_SECONDS else None

    def remember_failure(self, context: TaskContext | None, fingerprint: str, transaction_id: str | None) -> None:
        failures: Any = context.failures if context is not None else self._failures
        failures.pop(fingerprint, None)
        if transaction_id is None:
            return
        if context is not None:
            context.failures[fingerprint] = transaction_id
            return
        while len(self._failures) >= MAX_REMEMBERED_FAILURES:
            self._failures.popitem(last=False)
        self._failures[fingerprint] = (transaction_id, time.monotonic())

    def track(
        self,
        *,
        model: str,
        usage: Mapping[str, int],
        provider: str | None = None,
        customer: str | None = None,
        cost: str | None = None,
        status: str | None = None,
        retry_of: str | None = None,
        task_id: str | None = None,
        trace_id: str | None = None,
        session_id: str | None = None,
        feature: str | None = None,
        metadata: Mapping[str, str] | None = None,
        timestamp: datetime | int | None = None,
        transaction_id: str | None = None,
        _context: Any = _CURRENT,
    ) -> str:
        """Records one model call. Never blocks, never raises: problems go to on_error / on_drop.

        ``usage`` is in Tollgate's dimensions (the normalisers in ``tollgate.normalise`` make it from a
        provider's usage). ``status``: "success" (default), "error" (a failed call: still billed as the plan
        says) or "usage_unknown" (the call happened but its usage could not be read: stored unpriced, counted
        and passed to on_warning). ``timestamp``: a datetime or Unix milliseconds; default now. Attribution
        (customer, task, feature, …) comes from the enclosing ``tollgate.task()`` unless given here.
        Returns the event's transaction id (a UUIDv7 made now and reused on every delivery attempt).
        """
        try:
            # Instrumentation passes the task context it captured when the call started (a stream may end
            # outside it).
            context = current_task() if _context is _CURRENT else _context
            now = time.time_ns() // 1_000_000
            id = transaction_id or uuid7(now)
            if customer is None:
                customer = (context.customer if context else None) or self.default_customer
            if timestamp is None:
                ts = now
            elif isinstance(timestamp, datetime):
                # Integer arithmetic: a float of seconds times 1000 can land a millisecond off.
                ts = ((timestamp if timestamp.tzinfo else timestamp.astimezone()) - _EPOCH) // _MILLISECOND
            else:
                ts = timestamp
            wire: WireEvent = {
                "transaction_id": id,
                "external_customer_id": customer or "",
                "timestamp": ts,
                "model": model,
                # A copy: the agent may reuse its dict for the next call before this one is sent.
                "usage": dict(usage) if type(usage) is dict or isinstance(usage, Mapping) else usage,
            }
            problem = (
                _no_customer if not customer
                else "no model" if not model
                else "timestamp is not a datetime or Unix milliseconds" if type(ts) is not int
                else _invalid_usage(wire["usage"])
                or (status is not None and status not in STATUSES and f"unknown status {status!r}")
            )  # fmt: skip
            if problem:
                self._report(TollgateDeliveryError(f"Tollgate: event not sent: {problem}", [id], None, "invalid_event"))
                self._drop([wire], "invalid")
                return id
            if provider is not None:
                wire["provider"] = provider
            if cost is not None:
                wire["cost"] = cost
            if status is not None:
                wire["status"] = status
            if retry_of is not None:
                wire["retry_of"] = retry_of
            if context is not None:
                task_id = task_id or context.task_id
                trace_id = trace_id or context.trace_id
                session_id = session_id or context.session_id
                feature = feature or context.feature
                # The task's own metadata dict is shared by its events (read-only once built).
                wire["metadata"] = {**context.wire_metadata, **metadata} if metadata else context.wire_metadata
            elif metadata:
                wire["metadata"] = dict(metadata)
            if task_id is not None:
                wire["task_id"] = task_id
            if trace_id is not None:
                wire["trace_id"] = trace_id
            if session_id is not None:
                wire["session_id"] = session_id
            if feature is not None:
                wire["feature"] = feature
            if status == "usage_unknown":
                self._warn_usage_unknown(wire)
            if self._closed:
                self._drop([wire], "shutdown")
                return id
            queue = self._queue
            if len(queue) >= self._max_queue:
                self._drop([wire], "queue_full")
                return id
            queue.append(wire)
            # Wake the batching thread when it may be idle or a batch is full, and only if no wake is pending:
            # it looks at the queue again after every wake, and setting the Event costs a lock and a notify.
            if not self._armed or (len(queue) >= self._max_batch and not self._wake_pending()):
                self._kick()
            return id
        except Exception as error:  # noqa: BLE001 - track() never raises into the agent's code
            self._report(error)
            return transaction_id or ""

    # ----- queue and background delivery -----------------------------------------------------------------

    def _kick(self) -> None:
        self._armed = True
        if self._worker is None:
            self._start_worker()
        self._wake.set()

    def _start_worker(self) -> None:
        with self._start_lock:
            if self._worker is None and not self._stop:
                worker = threading.Thread(
                    target=_run_worker, args=(weakref.ref(self),), name="tollgate-batcher", daemon=True
                )
                worker.start()
                self._worker = worker

    def _idle_now(self) -> bool:
        return not self._queue and not self._in_flight

    def _worker_step(self) -> bool:
        """One pass of the batching thread; False once it should stop."""
        queue = self._queue
        if self._stop:
            return False
        if not queue:
            self._armed = False
            if queue:  # an event arrived after the check above: its track() may have seen _armed still True
                return True
            # Idle. The timeout only lets go of the client now and then, so a client the program dropped
            # can be collected (the threads hold it weakly between passes).
            self._wake.wait(IDLE_WAKE_SECONDS)
            self._wake.clear()
            return True
        if len(queue) < self._max_batch and not self._draining:
            # A partial batch waits for more events, at most flush_interval.
            deadline = time.monotonic() + self._flush_interval
            while len(queue) < self._max_batch and not self._draining and not self._stop:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._wake.wait(remaining)
                self._wake.clear()
        self._dispatch()
        return True

    def _dispatch(self) -> None:
        """Hands the queued events, in batches, to sending threads, waiting for a free one when
        max_concurrency batches are in flight (events keep queueing meanwhile, up to max_queue_size)."""
        queue = self._queue
        with self._idle:
            while queue and not self._stop:
                if len(self._in_flight) >= self._max_concurrency:
                    self._idle.wait(IDLE_WAKE_SECONDS)
                    continue
                batch = [queue.popleft() for _ in range(min(self._max_batch, len(queue)))]
                self._batch_ids += 1
                self._in_flight[self._batch_ids] = batch
                self._batches.append((self._batch_ids, batch))
                if self._free_senders == 0 and len(self._senders) < self._max_concurrency:
                    sender = threading.Thread(
                        target=_run_sender, args=(weakref.ref(self),), name="tollgate-sender", daemon=True
                    )
                    sender.start()
                    self._senders.append(sender)
                else:
                    self._free_senders -= 1
                self._batch_ready.release()
                # Full batches go on; a partial one only when its time is up (we were called for it) or on flush.
                if len(queue) < self._max_batch and not self._draining:
                    return

    def _sender_step(self, endpoint: Endpoint) -> bool:
        """One batch on a sending thread; False once it should stop."""
        if not self._batch_ready.acquire(timeout=IDLE_WAKE_SECONDS):
            return not self._stop
        with self._idle:
            if not self._batches:
                return not self._stop
            batch_id, batch = self._batches.popleft()
        try:
            self._deliver(batch, endpoint)
        finally:
            with self._idle:
                self._in_flight.pop(batch_id, None)
                self._free_senders += 1
                if self._draining and self._idle_now():
                    self._draining = False
                self._idle.notify_all()
        return True

    def _endpoint(self) -> Endpoint:
        return Endpoint(self._base_url, self._api_key, self._request_timeout)

    def _deliver(self, batch: list[WireEvent], endpoint: Endpoint) -> None:
        attempt = 0
        while True:
            outcome: Outcome = endpoint.post_events(batch)
            if outcome.kind == "delivered":
                return self._settle(outcome.results or [])
            ids = [e["transaction_id"] for e in batch]
            if outcome.kind == "too_large":
                if len(batch) > 1:
                    half = (len(batch) + 1) // 2
                    self._deliver(batch[:half], endpoint)
                    return self._deliver(batch[half:], endpoint)
                self._report(
                    TollgateDeliveryError("Tollgate: event larger than the API accepts", ids, 413, "payload_too_large")
                )
                return self._drop(batch, "delivery_failed")
            if outcome.kind == "refused":
                message = f"Tollgate: ingest API refused the batch: {outcome.message}"
                self._report(TollgateDeliveryError(message, ids, outcome.status, outcome.code))
                return self._drop(batch, "delivery_failed")
            delay = retry_delay(attempt, outcome.retry_after, self._retry_base, self._retry_max)
            remaining = float("inf") if self._deadline is None else self._deadline - time.monotonic()
            if attempt >= self._max_retries or remaining <= 0:
                message = f"Tollgate: delivery failed after {attempt + 1} attempts: {outcome.message}"
                self._report(TollgateDeliveryError(message, ids, outcome.status))
                return self._drop(batch, "delivery_failed")
            self._count("retries", 1)
            self._sleep(min(delay, remaining))
            attempt += 1

    def _settle(self, results: list[Mapping[str, Any]]) -> None:
        tally = {"accepted": 0, "duplicate": 0, "rejected": 0}
        for result in results:
            status = result.get("status")
            if status == "accepted" or status == "duplicate":
                tally[status] += 1
                continue
            tally["rejected"] += 1
            error = result.get("error") or {}
            tid = str(result.get("transaction_id"))
            message = f"Tollgate: event {tid} rejected: {error.get('code', 'unknown')}: {error.get('message', '')}"
            self._report(TollgateDeliveryError(message, [tid], 200, error.get("code")))
        with self._counts_lock:
            for key, n in tally.items():
                self._counts[key] += n
        if self._on_delivered is not None:
            self._callback(self._on_delivered, results)

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        with self._deadline_changed:
            generation = self._deadline_generation
            while generation == self._deadline_generation:
                left = end - time.monotonic()
                if left <= 0:
                    return
                self._deadline_changed.wait(left)

    def _set_deadline(self, at: float) -> None:
        with self._deadline_changed:
            self._deadline = at if self._deadline is None else min(self._deadline, at)
            self._deadline_generation += 1
            self._deadline_changed.notify_all()

    def _stop_threads(self) -> None:
        with self._idle:
            self._stop = True
            self._idle.notify_all()
        self._wake.set()

    # ----- process lifecycle -----------------------------------------------------------------------------

    def _at_exit(self) -> None:
        """Interpreter exit: deliver what waits from this (the exiting) thread, at most exit_timeout; new
        threads may not start any more. Batches already in flight finish on their sending threads."""
        if self._idle_now():
            return
        deadline = time.monotonic() + self._exit_timeout
        self._closed = True
        self._set_deadline(deadline)
        with self._idle:
            self._stop = True  # the batching thread takes no more: the queue is ours
        self._wake.set()
        endpoint = self._endpoint()
        try:
            while self._queue and time.monotonic() < deadline:
                batch = [self._queue.popleft() for _ in range(min(self._max_batch, len(self._queue)))]
                self._deliver(batch, endpoint)
        finally:
            endpoint.close()
        with self._idle:
            self._idle.wait_for(lambda: not self._in_flight, max(0.0, deadline - time.monotonic()))
        if self._queue:
            rest = list(self._queue)
            self._queue.clear()
            self._drop(rest, "delivery_failed")
            self._report(
                TollgateDeliveryError(
                    "Tollgate: exit timeout: events not delivered", [e["transaction_id"] for e in rest]
                )
            )

    def _after_fork(self) -> None:
        """In a forked child: the parent's queued events are the parent's to send; threads are gone."""
        self._queue.clear()
        self._in_flight.clear()
        self._idle = threading.Condition(threading.Lock())
        self._counts_lock = threading.Lock()
        self._reset_threads()

    # ----- reporting -------------------------------------------------------------------------------------

    def _count(self, key: str, n: int) -> None:
        with self._counts_lock:
            self._counts[key] += n

    def _warn_usage_unknown(self, wire: WireEvent) -> None:
        """A call whose usage could not be read: Tollgate stores it unpriced, never at zero; counted, and told."""
        self._count("usage_unknown", 1)
        if self._on_warning is None:
            return
        call = f"{wire.get('provider', 'unknown provider')} {wire['model']}"
        warning = {
            "code": "usage_unknown",
            "message": f"Tollgate: the usage of a {call} call could not be read; "
            "it is sent as usage_unknown and left unpriced",
            "transaction_id": wire["transaction_id"],
            "model": wire["model"],
        }
        if "provider" in wire:
            warning["provider"] = wire["provider"]
        self._callback(self._on_warning, warning)

    def _drop(self, events: list[WireEvent], reason: str) -> None:
        self._count("dropped", len(events))
        if self._on_drop is not None:
            self._callback(self._on_drop, events, reason)

    def _report(self, error: Exception) -> None:
        if self._on_error is not None:
            self._callback(self._on_error, error)

    @staticmethod
    def _callback(fn: Callable[..., None], *args: Any) -> None:
        """A user callback that raises must not break delivery or reach the agent."""
        try:
            fn(*args)
        except Exception:  # noqa: BLE001, S110 - deliberately ignored: see above
            pass


def _invalid_usage(usage: Any) -> str | None:
    if not isinstance(usage, dict):
        return "usage is not a mapping"
    if usage.keys() <= _DIMENSIONS:  # the usual case, in C; its counts are looked at alone
        for value in usage.values():
            if type(value) is not int or not 0 <= value <= MAX_COUNT:
                break
        else:
            return None
    for key, value in usage.items():
        if key not in _DIMENSIONS:
            return f"unknown usage dimension {key}"
        if type(value) is not int or value < 0 or value > MAX_COUNT:
            return f"usage {key} is not an integer from 0 to 10^12"
    return None


# Background threads hold the client weakly: a client the program dropped is collected and its threads end.


def _run_worker(ref: weakref.ref[Tollgate]) -> None:
    while True:
        client = ref()
        if client is None or not client._worker_step():
            return
        del client


def _run_sender(ref: weakref.ref[Tollgate]) -> None:
    client = ref()
    if client is None:
        return
    endpoint = client._endpoint()
    del client
    try:
        while True:
            client = ref()
            if client is None or not client._sender_step(endpoint):
                return
            del client
    finally:
        endpoint.close()


# One atexit hook and one fork hook for all clients.
_exit_clients: weakref.WeakSet[Tollgate] = weakref.WeakSet()
_all_clients: weakref.WeakSet[Tollgate] = weakref.WeakSet()


def _exit_all() -> None:
    for client in list(_exit_clients):
        try:
            client._at_exit()
        except Exception:  # noqa: BLE001, S110 - exit must go on
            pass


def _after_fork_all() -> None:
    for client in list(_all_clients):
        client._after_fork()


atexit.register(_exit_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_all)
