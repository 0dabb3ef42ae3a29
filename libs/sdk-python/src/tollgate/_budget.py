"""The opt-in budget guard: may this customer spend more? Asked before a model call, answered by
``GET /v1/customers/{id}/entitlement`` (docs/api.md), cached per customer; concurrent checks share one request."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from ._delivery import Endpoint
from ._errors import BudgetExceeded

#: The cap on remembered customers: the cache must not grow with an unbounded customer base.
MAX_CUSTOMERS = 10_000

_UNAVAILABLE = {"allowed": False, "reason": "entitlement_unavailable"}


class _Entry:
    __slots__ = ("at", "entitlement", "done")

    def __init__(self) -> None:
        self.at = 0.0
        #: None: unknown (network or server error).
        self.entitlement: Mapping[str, Any] | None = None
        #: Set once the answer is in; checks arriving meanwhile wait on it.
        self.done = threading.Event()


class BudgetGuard:
    def __init__(
        self, endpoint_factory: Callable[[], Endpoint], cache_ttl: float = 5.0, fail_open: bool = True
    ) -> None:
        self._endpoint_factory = endpoint_factory
        self._cache_ttl = cache_ttl
        self._fail_open = fail_open
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._local = threading.local()

    def cached(self, customer: str) -> bool | BudgetExceeded | None:
        """The cached verdict without waiting: True allowed, a BudgetExceeded if refused, None if a request is
        needed (then call ``check`` or ``acheck``)."""
        entry = self._cache.get(customer)
        if entry is None or not entry.done.is_set() or time.monotonic() - entry.at >= self._cache_ttl:
            return None
        return self._verdict(customer, entry.entitlement)

    def check(self, customer: str) -> None:
        """Blocks until the answer is known (at most the request timeout); raises BudgetExceeded."""
        verdict = self._verdict(customer, self._entitlement(customer))
        if verdict is not True:
            raise verdict

    async def acheck(self, customer: str) -> None:
        """``check`` without blocking the event loop: the request runs in the loop's default executor."""
        verdict = self.cached(customer)
        if verdict is None:
            entitlement = await asyncio.get_running_loop().run_in_executor(None, self._entitlement, customer)
            verdict = self._verdict(customer, entitlement)
        if verdict is not True:
            raise verdict

    def _verdict(self, customer: str, entitlement: Mapping[str, Any] | None) -> bool | BudgetExceeded:
        if entitlement is None:
            return True if self._fail_open else BudgetExceeded(customer, "entitlement_unavailable", _UNAVAILABLE)
        if entitlement.get("allowed"):
            return True
        return BudgetExceeded(customer, entitlement.get("reason"), entitlement)

    def _entitlement(self, customer: str) -> Mapping[str, Any] | None:
        with self._lock:
            entry = self._cache.get(customer)
            fresh = entry is not None and (not entry.done.is_set() or time.monotonic() - entry.at < self._cache_ttl)
            if not fresh:
                entry = _Entry()
                self._cache.pop(customer, None)
                if len(self._cache) >= MAX_CUSTOMERS:
                    self._cache.popitem(last=False)
                self._cache[customer] = entry
                owner = True
            else:
                owner = False
        assert entry is not None
        if owner:
            try:
                entry.entitlement = self._fetch(customer)
            finally:
                entry.at = time.monotonic()
                entry.done.set()
        else:
            entry.done.wait()
        return entry.entitlement

    def _fetch(self, customer: str) -> Mapping[str, Any] | None:
        """None: unknown. A customer Tollgate has not seen yet (404) has spent nothing."""
        endpoint = getattr(self._local, "endpoint", None)
        if endpoint is None:
            endpoint = self._local.endpoint = self._endpoint_factory()
        try:
            status, _headers, data = endpoint.request("GET", f"/v1/customers/{quote(customer, safe='')}/entitlement")
            if status == 404:
                return {"allowed": True}
            if not 200 <= status < 300:
                return None
            body = json.loads(data)
            return body if isinstance(body, dict) and isinstance(body.get("allowed"), bool) else None
        except Exception:  # noqa: BLE001 - unknown, the caller applies fail_open
            return None
