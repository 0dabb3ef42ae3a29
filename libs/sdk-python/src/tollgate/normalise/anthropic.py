"""Anthropic Messages (also Claude on Bedrock's InvokeModel and Vertex, which return the same body)."""

from __future__ import annotations

from typing import Any

from ._counts import NormalisedUsage, count, get, is_object, minus, normalised

_USAGE_KEYS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "cache_creation",
    "server_tool_use",
)


def normalise_anthropic(usage: Any) -> NormalisedUsage:
    """``input_tokens`` already excludes cache reads and writes. Cache writes are split by TTL when
    ``cache_creation`` says so; writes it does not attribute are 5-minute (the default TTL). Thinking is
    billed inside ``output_tokens``, so it stays there."""
    created = count(get(usage, "cache_creation_input_tokens"))
    by_ttl = get(usage, "cache_creation")
    one_hour = count(get(by_ttl, "ephemeral_1h_input_tokens"))
    five_minute = (
        max(count(get(by_ttl, "ephemeral_5m_input_tokens")), minus(created, one_hour))
        if by_ttl is not None
        else created
    )
    return normalised(
        {
            "input_tokens": count(get(usage, "input_tokens")),
            "cache_read_tokens": count(get(usage, "cache_read_input_tokens")),
            "cache_write_tokens": five_minute,
            "cache_write_1h_tokens": one_hour,
            "output_tokens": count(get(usage, "output_tokens")),
            "web_searches": count(get(get(usage, "server_tool_use"), "web_search_requests")),
        }
    )


class AnthropicStreamUsage:
    """A streamed message: ``message_start`` carries the first usage, each ``message_delta`` a cumulative one
    whose fields replace (never add to) what came before."""

    def __init__(self) -> None:
        self.model: str | None = None
        self._usage: dict[str, Any] | None = None

    def observe(self, event: Any) -> None:
        kind = get(event, "type")
        if kind == "message_start":
            message = get(event, "message")
            if message is None:
                return
            self.model = get(message, "model") or self.model
            usage = get(message, "usage")
            self._usage = {key: get(usage, key) for key in _USAGE_KEYS}
        elif kind == "message_delta":
            usage = get(event, "usage")
            if not is_object(usage):
                return
            merged = dict(self._usage or {})
            for key in _USAGE_KEYS:
                value = get(usage, key)
                if value is not None:
                    merged[key] = value
            self._usage = merged

    def result(self) -> NormalisedUsage | None:
        return None if self._usage is None else normalise_anthropic(self._usage)
