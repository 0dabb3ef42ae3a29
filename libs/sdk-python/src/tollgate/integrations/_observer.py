"""One instrumented model call, from start to its event."""

from __future__ import annotations

import hashlib
import json
import time
from typing import TYPE_CHECKING, Any

from .._context import current_task
from ..normalise._counts import NormalisedUsage

#: A failed call that left no usage was not billed by the provider: zero requests, not the default one.
_NOT_BILLED = NormalisedUsage({"requests": 0})

if TYPE_CHECKING:
    from .._client import Tollgate


def fingerprint(provider: str, operation: str, params: Any) -> str | None:
    """Identifies "the same call made again": a hash of the provider, the operation and the request
    parameters (an accidental match would only mislabel retry_of, never change a count)."""
    try:
        text = json.dumps([provider, operation, params], sort_keys=True, default=repr, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def describe(error: BaseException) -> str:
    """e.g. "500 InternalServerError": the HTTP status and the SDK's error class, short enough for metadata."""
    status = getattr(error, "status_code", None)
    if status is None:
        status = getattr(error, "code", None)  # google-genai's APIError
    if status is None:
        response = getattr(error, "response", None)  # botocore's ClientError
        if isinstance(response, dict):
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    parts = [str(status)] if isinstance(status, int) and not isinstance(status, bool) else []
    parts.append(type(error).__name__)
    return " ".join(parts)[:200]


class CallObserver:
    """Captures the task context when the call starts (a stream may end outside it), marks a repeat of a
    failed identical call as ``retry_of``, and records exactly one event: success, usage_unknown, error, or an
    abandoned stream."""

    __slots__ = ("_tollgate", "_provider", "_model", "context", "_started_at", "_key", "_retry_of", "_done")

    def __init__(self, tollgate: Tollgate, provider: str, operation: str, params: Any, model: str | None) -> None:
        self._tollgate = tollgate
        self._provider = provider
        self._model = model
        self.context = current_task()
        self._started_at = time.time_ns() // 1_000_000
        self._key = fingerprint(provider, operation, params)
        self._retry_of = None if self._key is None else tollgate.last_failure(self.context, self._key)
        self._done = False

    def guard(self) -> None:
        """The budget guard: raises BudgetExceeded before the call."""
        self._tollgate.guard(self.context)

    async def aguard(self) -> None:
        await self._tollgate.aguard(self.context)

    def succeed(self, result: NormalisedUsage | None, model: str | None = None) -> None:
        """A call that returned. Without readable usage (none arrived, or the normaliser could not read it) it is
        sent as ``usage_unknown``: it happened and may have cost money, so it is never reported as zero usage."""
        if result is None:
            self._emit("usage_unknown", None, model, {"usage_unknown": "absent"})
        elif result.status == "usage_unknown":
            self._emit("usage_unknown", None, model, {"usage_unknown": "unreadable"})
        else:
            self._emit("success", result, model, None)
        if self._key is not None:
            self._tollgate.remember_failure(self.context, self._key, None)

    def fail(self, error: BaseException, partial: NormalisedUsage | None = None, model: str | None = None) -> None:
        """A failed call: reported with status "error" and whatever usage it had (none: zero requests, the provider
        did not bill it); usage that arrived but cannot be read makes it ``usage_unknown``. Its repeat will be a
        retry_of it."""
        transaction_id = self._emit_failure(partial, model, describe(error))
        if transaction_id is not None and self._key is not None:
            self._tollgate.remember_failure(self.context, self._key, transaction_id)

    def abandon(self, partial: NormalisedUsage | None = None, model: str | None = None) -> None:
        """The agent stopped reading a stream before its end: the provider may still bill it; report what is known."""
        self._emit_failure(partial, model, "stream_abandoned")

    def _emit_failure(self, partial: NormalisedUsage | None, model: str | None, error: str) -> str | None:
        if partial is not None and partial.status == "usage_unknown":
            return self._emit("usage_unknown", None, model, {"error": error, "usage_unknown": "unreadable"})
        return self._emit("error", partial or _NOT_BILLED, model, {"error": error})

    def _emit(
        self, status: str, result: NormalisedUsage | None, model: str | None, metadata: dict[str, str] | None
    ) -> str | None:
        if self._done:
            return None
        self._done = True
        return self._tollgate.track(
            model=model or self._model or "unknown",
            usage=result.usage if result is not None else {},
            provider=self._provider,
            cost=result.cost if result is not None else None,
            status=status,
            retry_of=self._retry_of,
            metadata=metadata,
            timestamp=self._started_at,
            _context=self.context,
        )
