"""Mistral chat ``usage``: OpenAI-chat-shaped on the wire (snake_case, kept by the Python client ``mistralai``);
the TS client renames the counts it knows to camelCase and passes ``prompt_tokens_details`` through."""

from __future__ import annotations

from typing import Any

from ._counts import NormalisedUsage, get, get_either, is_object
from .openai import normalise_openai_chat


def normalise_mistral(usage: Any) -> NormalisedUsage:
    """Read as Chat Completions usage: ``prompt_tokens`` includes ``prompt_tokens_details.cached_tokens``
    (prompt caching, billed at its own price). ``prompt_audio_seconds`` (audio input, billed per minute) is not
    a token count: not read."""
    details = get_either(usage, "prompt_tokens_details", "promptTokensDetails") if is_object(usage) else None
    return normalise_openai_chat(
        {
            "prompt_tokens": get_either(usage, "promptTokens", "prompt_tokens"),
            "completion_tokens": get_either(usage, "completionTokens", "completion_tokens"),
            "prompt_tokens_details": {"cached_tokens": get_either(details, "cached_tokens", "cachedTokens")},
        }
    )


class MistralStreamUsage:
    """``chat.stream``: the last chunk (the one with the finish_reason) carries the usage. The clients yield
    events ``{data: chunk}``; a chunk as sent is read too."""

    def __init__(self) -> None:
        self.model: str | None = None
        self._last: Any = None

    def observe(self, item: Any) -> None:
        data = get(item, "data")
        chunk = data if is_object(data) else item
        model = get(chunk, "model")
        if model:
            self.model = model
        usage = get(chunk, "usage")
        if is_object(usage):
            self._last = usage

    def result(self) -> NormalisedUsage | None:
        return None if self._last is None else normalise_mistral(self._last)
