"""Streams: each item is observed on its way to the agent; the call's event is recorded when the stream
ends, fails, or is left unfinished (closed or collected before its end)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Protocol

from ..normalise._counts import NormalisedUsage
from ._observer import CallObserver


class Accumulator(Protocol):
    model: str | None

    def observe(self, item: Any) -> None: ...

    def result(self) -> NormalisedUsage | None: ...


def _observe(accumulator: Accumulator, item: Any) -> None:
    try:
        accumulator.observe(item)
    except Exception:  # noqa: BLE001, S110 - metering never breaks the agent's stream
        pass


def tap(
    source: Iterator[Any], observer: CallObserver, accumulator: Accumulator, hide: Callable[[Any], bool] | None = None
) -> Iterator[Any]:
    """``hide`` keeps items the agent did not ask for (a usage chunk requested on its behalf) from it."""
    settled = False
    try:
        for item in source:
            _observe(accumulator, item)
            if hide is None or not hide(item):
                yield item
        settled = True
        observer.succeed(accumulator.result(), accumulator.model)
    except GeneratorExit:
        raise
    except BaseException as error:
        settled = True
        observer.fail(error, accumulator.result(), accumulator.model)
        raise
    finally:
        if not settled:
            observer.abandon(accumulator.result(), accumulator.model)


async def atap(
    source: AsyncIterator[Any],
    observer: CallObserver,
    accumulator: Accumulator,
    hide: Callable[[Any], bool] | None = None,
) -> AsyncIterator[Any]:
    settled = False
    try:
        async for item in source:
            _observe(accumulator, item)
            if hide is None or not hide(item):
                yield item
        settled = True
        observer.succeed(accumulator.result(), accumulator.model)
    except GeneratorExit:
        raise
    except BaseException as error:
        settled = True
        observer.fail(error, accumulator.result(), accumulator.model)
        raise
    finally:
        if not settled:
            observer.abandon(accumulator.result(), accumulator.model)


class TappedStream:
    """Stands in for a provider's stream object (botocore's EventStream, …): iterates the tapped items and
    passes everything else (``close``, ``response``, …) to the original."""

    def __init__(self, original: Any, tapped: Iterator[Any]) -> None:
        self._original = original
        self._tapped = tapped

    def __iter__(self) -> Iterator[Any]:
        return self._tapped

    def __next__(self) -> Any:
        return next(self._tapped)

    def __enter__(self) -> TappedStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        close = getattr(self._original, "close", None)
        if close is not None:
            close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class AsyncTappedStream:
    def __init__(self, original: Any, tapped: AsyncIterator[Any]) -> None:
        self._original = original
        self._tapped = tapped

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._tapped

    async def __anext__(self) -> Any:
        return await self._tapped.__anext__()

    async def __aenter__(self) -> AsyncTappedStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        aclose = getattr(self._original, "aclose", None) or getattr(self._original, "close", None)
        if aclose is not None:
            result = aclose()
            if hasattr(result, "__await__"):
                await result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)
