"""The shared test vectors (libs/sdk/test-vectors/*.json, also run by the TypeScript SDK): raw provider usage
-> Tollgate dimensions. Every file runs through the Python normaliser of its shape, so the two SDKs can
never disagree; a shape this SDK does not know fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tollgate.normalise import (
    AnthropicStreamUsage,
    BedrockInvokeStreamUsage,
    BedrockStreamUsage,
    GeminiStreamUsage,
    MistralStreamUsage,
    NormalisedUsage,
    OpenAIChatStreamUsage,
    OpenAIResponsesStreamUsage,
    normalise_anthropic,
    normalise_bedrock,
    normalise_bedrock_invoke,
    normalise_gemini,
    normalise_langchain,
    normalise_mistral,
    normalise_openai_chat,
    normalise_openai_response,
)

from .launched import ROOT

VECTORS = ROOT / "libs/sdk/test-vectors"


def stream(accumulator: type, method: str = "observe") -> Callable[[list[Any]], NormalisedUsage | None]:
    def run(items: list[Any]) -> NormalisedUsage | None:
        acc = accumulator()
        for item in items:
            getattr(acc, method)(item)
        return acc.result()

    return run


SHAPES: dict[str, Callable[[Any], NormalisedUsage | None]] = {
    "openai-chat": normalise_openai_chat,
    "openai-chat-stream": stream(OpenAIChatStreamUsage),
    "openai-responses": normalise_openai_response,
    "openai-responses-stream": stream(OpenAIResponsesStreamUsage),
    "anthropic": normalise_anthropic,
    "anthropic-stream": stream(AnthropicStreamUsage),
    "gemini": normalise_gemini,
    "gemini-stream": stream(GeminiStreamUsage),
    "bedrock-converse": normalise_bedrock,
    "bedrock-converse-stream": stream(BedrockStreamUsage),
    "bedrock-invoke": lambda case: normalise_bedrock_invoke(case["body"], case.get("headers") or {}),
    # The vectors hold the decoded payloads (what each event's chunk.bytes carries).
    "bedrock-invoke-stream": stream(BedrockInvokeStreamUsage, "observe_payload"),
    "mistral": normalise_mistral,
    "mistral-stream": stream(MistralStreamUsage),
    "langchain": normalise_langchain,
}


def as_expected(result: NormalisedUsage | None) -> dict[str, Any]:
    """A result in the vectors' terms: the dimensions (and cost), or {"usage_unknown": true}."""
    if result is None or result.status == "usage_unknown":
        return {"usage_unknown": True}
    return {**result.usage, **({"cost": result.cost} if result.cost is not None else {})}


def cases() -> list[Any]:
    files = sorted(VECTORS.glob("*.json"))
    params = []
    for path in files:
        spec = json.loads(path.read_text())
        for case in spec["cases"]:
            params.append(pytest.param(spec["shape"], case, id=f"{path.stem}: {case['name']}"))
    return params


def test_the_vectors_are_there() -> None:
    assert len(cases()) > 0, f"no test vectors in {VECTORS}"


def test_every_vector_file_has_a_shape_this_sdk_knows() -> None:
    for path in sorted(VECTORS.glob("*.json")):
        shape = json.loads(path.read_text())["shape"]
        assert shape in SHAPES, f"{path.name}: shape {shape!r} has no Python normaliser"


@pytest.mark.parametrize(("shape", "case"), cases())
def test_vector(shape: str, case: dict[str, Any]) -> None:
    normalise = SHAPES.get(shape)
    if normalise is None:
        pytest.fail(f"shape {shape!r} has no Python normaliser")
    assert as_expected(normalise(case["input"])) == case["expected"], case.get("source")
