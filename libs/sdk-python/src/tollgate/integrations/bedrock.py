"""``instrument_bedrock(client, tollgate)``: meters a boto3 ``bedrock-runtime`` client's ``converse`` and
``converse_stream`` calls (their usage is Bedrock's own TokenUsage), and ``invoke_model`` /
``invoke_model_with_response_stream``, whose bodies are each model family's own format: Anthropic, Amazon
Nova and OpenAI-compatible bodies are read, any other family from Bedrock's token-count headers or the
stream's invocation metrics."""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ..normalise._counts import get
from ..normalise.bedrock import BedrockStreamUsage, normalise_bedrock
from ..normalise.bedrock_invoke import BedrockInvokeStreamUsage, normalise_bedrock_invoke
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


def _invoke(response: Any, observer: CallObserver) -> None:
    """The body is read here and handed back as a fresh StreamingBody with the same bytes: the agent reads it
    as it would have."""
    from botocore.response import StreamingBody

    raw = response["body"].read()
    response["body"] = StreamingBody(io.BytesIO(raw), len(raw))
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    observer.succeed(normalise_bedrock_invoke(body, headers))


def _invoke_stream(response: Any, observer: CallObserver) -> None:
    stream = response.get("body")
    if stream is None:
        return observer.succeed(None)
    response["body"] = TappedStream(stream, tap(iter(stream), observer, BedrockInvokeStreamUsage()))


def instrument_bedrock(client: C, tollgate: Tollgate) -> C:
    """Returns the same client, instrumented."""
    _wrap(client, "converse", tollgate, _converse)
    _wrap(client, "converse_stream", tollgate, _converse_stream)
    _wrap(client, "invoke_model", tollgate, _invoke)
    _wrap(client, "invoke_model_with_response_stream", tollgate, _invoke_stream)
    return client
