"""LangChain's ``usage_metadata`` (UsageMetadata): totals include their details, LangChain's convention."""

from __future__ import annotations

from typing import Any

from ._counts import NormalisedUsage, count, get, minus, normalised


def normalise_langchain(usage_metadata: Any) -> NormalisedUsage:
    u = usage_metadata
    inputs = get(u, "input_token_details")
    outputs = get(u, "output_token_details")
    cache_read = count(get(inputs, "cache_read"))
    one_hour = count(get(inputs, "ephemeral_1h_input_tokens"))
    created = count(get(inputs, "cache_creation")) or count(get(inputs, "ephemeral_5m_input_tokens")) + one_hour
    audio_in = count(get(inputs, "audio"))
    reasoning = count(get(outputs, "reasoning"))
    audio_out = count(get(outputs, "audio"))
    return normalised(
        {
            "input_tokens": minus(count(get(u, "input_tokens")), cache_read, created, audio_in),
            "cache_read_tokens": cache_read,
            "cache_write_tokens": minus(created, one_hour),
            "cache_write_1h_tokens": min(one_hour, created),
            "output_tokens": minus(count(get(u, "output_tokens")), reasoning, audio_out),
            "reasoning_tokens": reasoning,
            "audio_input_tokens": audio_in,
            "audio_output_tokens": audio_out,
        }
    )
