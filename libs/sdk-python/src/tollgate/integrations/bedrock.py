"""``instrument_bedrock(client, tollgate)``: meters a boto3 ``bedrock-runtime`` client's ``converse`` and
``converse_stream`` calls (their usage is Bedrock's own TokenUsage)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from ..normalise._counts import get
from ..normalise.bedrock import BedrockStreamUsage, normalise_bedrock
from ._observer import CallObserver
from ._streams import TappedStream, tap

if TYPE_CHECKING:
    from .._client import Tollgate

C = TypeVar("C")


def _request(kwargs: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The model and what identifies the call (the request without its body bytes)."""
    model = kwargs.get("modelId")
    return (model if isinstance(model, str) else None), {k: v for k, v in kwargs.items() if k != "body"}


def _wrap(client: Any, name: str, tollgate: Tollgate, finish: Callable[[Any, CallObserver], None]) -> None:
    method = getattr(client, name, None)
    if method is None or getattr(method, "_tollgate", False):
        return

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        model, params = _request(kwargs)
        observer = CallObserver(tollgate, "bedrock", name, params, model)
        observer.guard()
        try:
            response = method(*args, **kwargs)
        except BaseException as error:
            observer.fail(error)
            raise
        try:
            finish(response, observer)
        except Exception as error:  # noqa: BLE001 - metering never breaks the agent's call
            observer.succeed(None)
            tollgate._report(error)
        return response

    call._tollgate = True  # type: ignore[attr-defined]
    setattr(client, name, call)


def _converse(response: Any, observer: CallObserver) -> None:
    usage = get(response, "usage")
    observer.succeed(None if usage is None else normalise_bedrock(usage))


def _converse_stream(response: Any, observer: CallObserver) -> None:
    stream = response.get("stream")
    if stream is None:
        return observer.succeed(None)
    response["stream"] = TappedStream(stream, tap(iter(stream), observer, BedrockStreamUsage()))


def instrument_bedrock(client: C, tollgate: Tollgate) -> C:
    """Returns the same client, instrumented."""
    _wrap(client, "converse", tollgate, _converse)
    _wrap(client, "converse_stream", tollgate, _converse_stream)
    return client
