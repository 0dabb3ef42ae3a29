"""``instrument_mistral(client, tollgate)``: meters a ``mistralai`` client's ``chat`` (and ``agents``, ``fim``)
calls: ``complete``, ``stream`` and their ``_async`` forms, with the helpers built on them (``parse``,
``parse_stream``). Written against mistralai's documented interface: ``complete`` returns a
ChatCompletionResponse (``usage``, ``model``); ``stream`` an EventStream of events whose ``data`` is a chunk, the
last one carrying the usage."""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any, TypeVar

from ..normalise._counts import get
from ..normalise.mistral import MistralStreamUsage, normalise_mistral
from ._observer import CallObserver
from ._streams import AsyncTappedStream, TappedStream, atap, tap

if TYPE_CHECKING:
    from .._client import Tollgate

C = TypeVar("C")

#: Arguments that say how to send the request, not what it asks: not part of the call's identity.
_TRANSPORT = frozenset({"retries", "server_url", "timeout_ms", "http_headers"})


def _observer(tollgate: Tollgate, operation: str, kwargs: dict[str, Any]) -> CallObserver:
    model = kwargs.get("model") or kwargs.get("agent_id")
    params = {k: v for k, v in kwargs.items() if k not in _TRANSPORT}
    return CallObserver(tollgate, "mistral", operation, params, model if isinstance(model, str) else None)


def _read(response: Any) -> tuple[Any, Any]:
    usage = get(response, "usage")
    return (None if usage is None else normalise_mistral(usage)), get(response, "model")


def _tap(stream: Any, observer: CallObserver, is_async: bool) -> Any:
    """In place where the EventStream reads its ``generator`` (the class, context manager and response
    stay the agent's); otherwise a stand-in that iterates the tapped events."""
    generator = getattr(stream, "generator", None)
    if generator is not None:
        stream.generator = (atap if is_async else tap)(generator, observer, MistralStreamUsage())
        return stream
    if is_async:
        return AsyncTappedStream(stream, atap(stream.__aiter__(), observer, MistralStreamUsage()))
    return TappedStream(stream, tap(iter(stream), observer, MistralStreamUsage()))


def _wrap(resource: Any, name: str, tollgate: Tollgate, streamed: bool) -> None:
    method = getattr(resource, name, None)
    if method is None or getattr(method, "_tollgate", False):
        return
    operation = f"{type(resource).__name__.lower()}.{'stream' if streamed else 'complete'}"
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def acall(*args: Any, **kwargs: Any) -> Any:
            observer = _observer(tollgate, operation, kwargs)
            await observer.aguard()
            try:
                result = await method(*args, **kwargs)
            except BaseException as error:
                observer.fail(error)
                raise
            if streamed:
                return _tap(result, observer, is_async=True)
            observer.succeed(*_read(result))
            return result

        acall._tollgate = True  # type: ignore[attr-defined]
        setattr(resource, name, acall)
        return

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        observer = _observer(tollgate, operation, kwargs)
        observer.guard()
        try:
            result = method(*args, **kwargs)
        except BaseException as error:
            observer.fail(error)
            raise
        if streamed:
            return _tap(result, observer, is_async=False)
        observer.succeed(*_read(result))
        return result

    call._tollgate = True  # type: ignore[attr-defined]
    setattr(resource, name, call)


def instrument_mistral(client: C, tollgate: Tollgate) -> C:
    """Returns the same client (``mistralai.Mistral``), instrumented."""
    for resource_name in ("chat", "agents", "fim"):
        resource = getattr(client, resource_name, None)
        if resource is None:
            continue
        _wrap(resource, "complete", tollgate, streamed=False)
        _wrap(resource, "complete_async", tollgate, streamed=False)
        _wrap(resource, "stream", tollgate, streamed=True)
        _wrap(resource, "stream_async", tollgate, streamed=True)
    return client
