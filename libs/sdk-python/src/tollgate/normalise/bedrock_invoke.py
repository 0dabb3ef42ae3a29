"""Bedrock InvokeModel bodies: each model family's own format. Few carry usage, in three shapes told apart by
their keys (never by model id): Anthropic Messages (``usage.input_tokens``), Amazon Nova (``usage.inputTokens``,
Converse-shaped), OpenAI-compatible (``usage.prompt_tokens``: gpt-oss, Qwen, DeepSeek, Mistral 3, …). Every
family also gets Bedrock's own token counts: response headers on InvokeModel, the
``amazon-bedrock-invocationMetrics`` of a stream's last chunk."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ._counts import NormalisedUsage, get, is_object
from .anthropic import AnthropicStreamUsage, normalise_anthropic
from .bedrock import normalise_bedrock
from .openai import normalise_openai_chat

_ANTHROPIC_KEYS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
_NOVA_KEYS = ("inputTokens", "outputTokens")
_OPENAI_KEYS = ("prompt_tokens", "completion_tokens")
_COUNT = re.compile(r"[0-9]{1,15}")


def _has(usage: Any, keys: tuple[str, ...]) -> bool:
    return isinstance(usage, Mapping) and any(key in usage for key in keys)


def _body_usage(body: Any) -> NormalisedUsage | None:
    """A body's usage in its family's shape, or None when the body has none this reads."""
    usage = get(body, "usage")
    if _has(usage, _ANTHROPIC_KEYS):
        return normalise_anthropic(usage)
    if _has(usage, _NOVA_KEYS):
        return normalise_bedrock(usage)
    if _has(usage, _OPENAI_KEYS):
        return normalise_openai_chat(usage)
    return None


def _header_count(headers: Mapping[str, Any], name: str) -> int | None:
    value = headers.get(name)
    return int(value.strip()) if isinstance(value, str) and _COUNT.fullmatch(value.strip()) else None


def normalise_bedrock_invoke(body: Any, headers: Mapping[str, Any] | None = None) -> NormalisedUsage:
    """InvokeModel: the body's own usage when it has one it reads (it carries more, e.g. Anthropic's cache TTL
    split), else the ``x-amzn-bedrock-*-token-count`` headers (lower-case names), which count like Converse:
    input excludes cache reads and writes."""
    from_body = _body_usage(body)
    if from_body is not None and from_body.status is None:
        return from_body
    headers = headers or {}
    return normalise_bedrock(
        {
            "inputTokens": _header_count(headers, "x-amzn-bedrock-input-token-count"),
            "outputTokens": _header_count(headers, "x-amzn-bedrock-output-token-count"),
            "cacheReadInputTokens": _header_count(headers, "x-amzn-bedrock-cache-read-input-token-count"),
            "cacheWriteInputTokens": _header_count(headers, "x-amzn-bedrock-cache-write-input-token-count"),
        }
    )


class BedrockInvokeStreamUsage:
    """InvokeModelWithResponseStream: each event's ``chunk.bytes`` is one JSON payload of the family's stream
    format. The family's usage (Anthropic message_start / message_delta, Nova ``metadata.usage``, an OpenAI
    chunk's ``usage``) wins; else the last chunk's ``amazon-bedrock-invocationMetrics``."""

    def __init__(self) -> None:
        #: The request's modelId stays the model (what Bedrock prices), whatever name the body gives it.
        self.model: str | None = None
        self._anthropic = AnthropicStreamUsage()
        self._family: NormalisedUsage | None = None
        self._metrics: Any = None

    def observe(self, event: Any) -> None:
        """A stream event as boto3 yields it: ``{"chunk": {"bytes": b"…"}}``. Other members are not usage."""
        data = get(get(event, "chunk"), "bytes")
        if not isinstance(data, (bytes, bytearray)):
            return
        try:
            payload = json.loads(data)
        except ValueError:
            return  # not JSON: no usage in it
        self.observe_payload(payload)

    def observe_payload(self, payload: Any) -> None:
        """One decoded chunk payload."""
        metrics = get(payload, "amazon-bedrock-invocationMetrics")
        if is_object(metrics):
            self._metrics = metrics
        kind = get(payload, "type")
        if kind in ("message_start", "message_delta"):
            self._anthropic.observe(payload)
            self._family = self._anthropic.result()
        elif is_object(get(get(payload, "metadata"), "usage")):
            self._family = normalise_bedrock(get(get(payload, "metadata"), "usage"))
        elif is_object(get(payload, "usage")):
            self._family = normalise_openai_chat(get(payload, "usage"))

    def result(self) -> NormalisedUsage | None:
        if self._family is not None and self._family.status is None:
            return self._family
        if self._metrics is not None:
            m = self._metrics
            return normalise_bedrock(
                {
                    "inputTokens": get(m, "inputTokenCount"),
                    "outputTokens": get(m, "outputTokenCount"),
                    "cacheReadInputTokens": get(m, "cacheReadInputTokenCount"),
                    "cacheWriteInputTokens": get(m, "cacheWriteInputTokenCount"),
                }
            )
        return self._family
