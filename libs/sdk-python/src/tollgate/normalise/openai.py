"""OpenAI Chat Completions (also OpenRouter and other OpenAI-compatible servers) and the Responses API."""

from __future__ import annotations

from typing import Any

from ._counts import NormalisedUsage, count, decimal_string, get, is_object, minus, normalised


def normalise_openai_chat(usage: Any) -> NormalisedUsage:
    """``prompt_tokens`` includes the cached and audio input tokens (and OpenRouter's cache writes);
    ``completion_tokens`` includes reasoning and audio output tokens. Each is taken out once. OpenRouter's
    ``usage.cost`` is carried as the reported cost."""
    prompt = get(usage, "prompt_tokens_details")
    completion = get(usage, "completion_tokens_details")
    cache_read = count(get(prompt, "cached_tokens"))
    cache_write = count(get(prompt, "cache_write_tokens"))
    audio_in = count(get(prompt, "audio_tokens"))
    reasoning = count(get(completion, "reasoning_tokens"))
    audio_out = count(get(completion, "audio_tokens"))
    return normalised(
        {
            "input_tokens": minus(count(get(usage, "prompt_tokens")), cache_read, cache_write, audio_in),
            "cache_read_tokens": cache_read,
            "cache_write_tokens": cache_write,
            "output_tokens": minus(count(get(usage, "completion_tokens")), reasoning, audio_out),
            "reasoning_tokens": reasoning,
            "audio_input_tokens": audio_in,
            "audio_output_tokens": audio_out,
        },
        decimal_string(get(usage, "cost")),
    )


class OpenAIChatStreamUsage:
    """A streamed chat completion: usage arrives on the last chunk (with ``stream_options.include_usage``)."""

    def __init__(self) -> None:
        self.model: str | None = None
        self._last: Any = None

    def observe(self, chunk: Any) -> None:
        model = get(chunk, "model")
        if model:
            self.model = model
        usage = get(chunk, "usage")
        if is_object(usage):
            self._last = usage

    def result(self) -> NormalisedUsage | None:
        """None: no usage arrived at all."""
        return None if self._last is None else normalise_openai_chat(self._last)


def normalise_openai_response(response: Any) -> NormalisedUsage:
    """``input_tokens`` includes the cached tokens, ``output_tokens`` the reasoning tokens. Hosted tools are
    counted from the output items: each ``web_search_call`` is one search, each ``image_generation_call`` one
    image."""
    usage = get(response, "usage")
    cache_read = count(get(get(usage, "input_tokens_details"), "cached_tokens"))
    reasoning = count(get(get(usage, "output_tokens_details"), "reasoning_tokens"))
    web_searches = images = 0
    for item in get(response, "output") or ():
        kind = get(item, "type")
        if kind == "web_search_call":
            web_searches += 1
        elif kind == "image_generation_call":
            images += 1
    return normalised(
        {
            "input_tokens": minus(count(get(usage, "input_tokens")), cache_read),
            "cache_read_tokens": cache_read,
            "output_tokens": minus(count(get(usage, "output_tokens")), reasoning),
            "reasoning_tokens": reasoning,
            "images": images,
            "web_searches": web_searches,
        }
    )


_TERMINAL = frozenset({"response.completed", "response.incomplete", "response.failed"})


class OpenAIResponsesStreamUsage:
    """A streamed response: the terminal event (completed, incomplete or failed) carries the whole response."""

    def __init__(self) -> None:
        self.model: str | None = None
        self._final: Any = None

    def observe(self, event: Any) -> None:
        response = get(event, "response")
        if response is None:
            return
        model = get(response, "model")
        if model:
            self.model = model
        if get(event, "type") in _TERMINAL and is_object(get(response, "usage")):
            self._final = response

    def result(self) -> NormalisedUsage | None:
        return None if self._final is None else normalise_openai_response(self._final)
