"""``instrument_openai(client, tollgate)``: meters Chat Completions and Responses calls of an ``openai``
client (``OpenAI`` or ``AsyncOpenAI``; also OpenRouter and other OpenAI-compatible servers), streamed or not,
with the SDK's helpers (``.parse()``, ``.stream()``, ``with_raw_response``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from ..normalise._counts import get
from ..normalise.openai import (
    OpenAIChatStreamUsage,
    OpenAIResponsesStreamUsage,
    normalise_openai_chat,
    normalise_openai_response,
)
from ._stainless import Metered, wrap_copies, wrap_resource

if TYPE_CHECKING:
    from .._client import Tollgate

C = TypeVar("C")


def _ask_stream_usage(body: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Chat streams report usage only with ``stream_options.include_usage``: ask for it when the agent did not,
    and keep that extra chunk (empty ``choices``) from the agent."""
    options = body.get("stream_options")
    if body.get("stream") is not True or (isinstance(options, dict) and "include_usage" in options):
        return body, None
    sent = {**body, "stream_options": {**(options if isinstance(options, dict) else {}), "include_usage": True}}
    return sent, _is_usage_chunk


def _is_usage_chunk(chunk: Any) -> bool:
    return get(chunk, "choices") == [] and get(chunk, "usage") is not None


def _read_completion(completion: Any) -> tuple[Any, Any]:
    usage = get(completion, "usage")
    return (None if usage is None else normalise_openai_chat(usage)), get(completion, "model")


def _read_response(response: Any) -> tuple[Any, Any]:
    return normalise_openai_response(response), get(response, "model")


def instrument_openai(
    client: C, tollgate: Tollgate, *, provider: str | None = None, request_stream_usage: bool = True
) -> C:
    """Returns the same client, instrumented. ``provider`` defaults to "openrouter" when the client's base URL is
    OpenRouter's, else "openai"."""
    c: Any = client
    if provider is None:
        provider = "openrouter" if "openrouter.ai" in str(getattr(c, "base_url", "")) else "openai"
    chat = Metered(
        provider,
        "chat.completions",
        meters=lambda path: path == "/chat/completions",
        read=_read_completion,
        accumulator=OpenAIChatStreamUsage,
        prepare=_ask_stream_usage if request_stream_usage else None,
    )
    wrap_resource(c.chat.completions, tollgate, chat)
    responses = getattr(c, "responses", None)
    if responses is not None:
        metered = Metered(
            provider, "responses", lambda path: path == "/responses", _read_response, OpenAIResponsesStreamUsage
        )
        wrap_resource(responses, tollgate, metered)
    wrap_copies(
        c, lambda copy: instrument_openai(copy, tollgate, provider=provider, request_stream_usage=request_stream_usage)
    )
    return client
