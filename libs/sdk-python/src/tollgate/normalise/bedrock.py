"""Amazon Bedrock Converse and ConverseStream ``usage`` (TokenUsage)."""

from __future__ import annotations

from typing import Any

from ._counts import NormalisedUsage, count, get, is_object, minus, normalised


def _first(usage: Any, name: str, alias: str) -> Any:
    value = get(usage, name)
    return get(usage, alias) if value is None else value


def normalise_bedrock(usage: Any) -> NormalisedUsage:
    """``inputTokens``, ``outputTokens``, cache reads and cache writes are disjoint. ``cacheDetails`` splits the
    writes by TTL; writes it does not attribute to 1h are 5-minute. Some responses also carry the cache counts
    as ``cache*InputTokenCount``: one count under two names, read once."""
    read = count(_first(usage, "cacheReadInputTokens", "cacheReadInputTokenCount"))
    detailed_1h = detailed_other = 0
    for detail in get(usage, "cacheDetails") or ():
        if get(detail, "ttl") == "1h":
            detailed_1h += count(get(detail, "inputTokens"))
        else:
            detailed_other += count(get(detail, "inputTokens"))
    written = count(_first(usage, "cacheWriteInputTokens", "cacheWriteInputTokenCount")) or detailed_1h + detailed_other
    one_hour = min(detailed_1h, written)
    return normalised(
        {
            "input_tokens": count(get(usage, "inputTokens")),
            "cache_read_tokens": read,
            "cache_write_tokens": minus(written, one_hour),
            "cache_write_1h_tokens": one_hour,
            "output_tokens": count(get(usage, "outputTokens")),
        }
    )


class BedrockStreamUsage:
    """ConverseStream: the ``metadata`` event carries the usage of the whole call."""

    def __init__(self) -> None:
        self.model: str | None = None
        self._last: Any = None

    def observe(self, event: Any) -> None:
        usage = get(get(event, "metadata"), "usage")
        if is_object(usage):
            self._last = usage

    def result(self) -> NormalisedUsage | None:
        return None if self._last is None else normalise_bedrock(self._last)
