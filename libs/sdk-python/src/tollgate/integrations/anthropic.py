"""``instrument_anthropic(client, tollgate)``: meters Messages calls of an ``anthropic`` client (``Anthropic``,
``AsyncAnthropic``, and the Bedrock / Vertex clients of the same package), streamed or not, including
``messages.stream()``, ``messages.parse()`` and the beta namespace. Cache writes are split 5-minute / 1-hour."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from ..normalise._counts import get
from ..normalise.anthropic import AnthropicStreamUsage, normalise_anthropic
from ._stainless import Metered, wrap_copies, wrap_resource

if TYPE_CHECKING:
    from .._client import Tollgate

C = TypeVar("C")


def _is_model_call(path: str) -> bool:
    # The Bedrock and Vertex clients post to the same path and rewrite the URL below it.
    return path.split("?", 1)[0] == "/v1/messages"


def _read_message(message: Any) -> tuple[Any, Any]:
    usage = get(message, "usage")
    return (None if usage is None else normalise_anthropic(usage)), get(message, "model")


def instrument_anthropic(client: C, tollgate: Tollgate, *, provider: str = "anthropic") -> C:
    """Returns the same client, instrumented."""
    c: Any = client
    metered = Metered(provider, "messages", _is_model_call, _read_message, AnthropicStreamUsage)
    wrap_resource(c.messages, tollgate, metered)
    beta = getattr(c, "beta", None)
    beta_messages = getattr(beta, "messages", None) if beta is not None else None
    if beta_messages is not None:
        wrap_resource(beta_messages, tollgate, metered)
    wrap_copies(c, lambda copy: instrument_anthropic(copy, tollgate, provider=provider))
    return client
