"""Gemini ``generateContent`` usage metadata: camelCase on the wire, snake_case in google-genai's models."""

from __future__ import annotations

from typing import Any

from ._counts import NormalisedUsage, count, get, get_either, is_object, minus, normalised


def _audio(details: Any) -> int:
    total = 0
    for detail in details or ():
        modality = get(detail, "modality")
        # google-genai's MediaModality is a str enum; its value is the wire's name.
        if getattr(modality, "value", modality) == "AUDIO":
            total += count(get_either(detail, "tokenCount", "token_count"))
    return total


def normalise_gemini(usage_metadata: Any) -> NormalisedUsage:
    """``promptTokenCount`` includes the cached tokens; its per-modality details (AUDIO) include the cached
    ones of that modality (``cacheTokensDetails``). ``toolUsePromptTokenCount`` is extra input.
    ``thoughtsTokenCount`` is separate from ``candidatesTokenCount``, which includes its AUDIO details."""
    u = usage_metadata
    cached = count(get_either(u, "cachedContentTokenCount", "cached_content_token_count"))
    audio_in = minus(
        _audio(get_either(u, "promptTokensDetails", "prompt_tokens_details")),
        _audio(get_either(u, "cacheTokensDetails", "cache_tokens_details")),
    )
    audio_out = _audio(get_either(u, "candidatesTokensDetails", "candidates_tokens_details"))
    prompt = count(get_either(u, "promptTokenCount", "prompt_token_count"))
    tool_use = count(get_either(u, "toolUsePromptTokenCount", "tool_use_prompt_token_count"))
    return normalised(
        {
            "input_tokens": minus(prompt + tool_use, cached, audio_in),
            "cache_read_tokens": cached,
            "output_tokens": minus(count(get_either(u, "candidatesTokenCount", "candidates_token_count")), audio_out),
            "reasoning_tokens": count(get_either(u, "thoughtsTokenCount", "thoughts_token_count")),
            "audio_input_tokens": audio_in,
            "audio_output_tokens": audio_out,
        }
    )


class GeminiStreamUsage:
    """``streamGenerateContent``: every chunk's usage metadata is the running total; the last one counts."""

    def __init__(self) -> None:
        self.model: str | None = None
        self._last: Any = None

    def observe(self, chunk: Any) -> None:
        model = get_either(chunk, "modelVersion", "model_version")
        if model:
            self.model = model
        usage = get_either(chunk, "usageMetadata", "usage_metadata")
        if is_object(usage):
            self._last = usage

    def result(self) -> NormalisedUsage | None:
        return None if self._last is None else normalise_gemini(self._last)
