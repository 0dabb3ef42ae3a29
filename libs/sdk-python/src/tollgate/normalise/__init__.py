"""Provider usage -> Tollgate's disjoint dimensions. Each takes the provider's usage as a dict (the JSON) or
as the provider SDK's object, and returns a NormalisedUsage; unreadable usage comes back with
``status == "usage_unknown"``, never as zeros. The same rules as the TypeScript SDK, checked by the shared
test vectors in ``libs/sdk/test-vectors``."""

from ._counts import NormalisedUsage
from .anthropic import AnthropicStreamUsage, normalise_anthropic
from .bedrock import BedrockStreamUsage, normalise_bedrock
from .bedrock_invoke import BedrockInvokeStreamUsage, normalise_bedrock_invoke
from .gemini import GeminiStreamUsage, normalise_gemini
from .langchain import normalise_langchain
from .mistral import MistralStreamUsage, normalise_mistral
from .openai import OpenAIChatStreamUsage, OpenAIResponsesStreamUsage, normalise_openai_chat, normalise_openai_response

__all__ = [
    "AnthropicStreamUsage",
    "BedrockInvokeStreamUsage",
    "BedrockStreamUsage",
    "GeminiStreamUsage",
    "MistralStreamUsage",
    "NormalisedUsage",
    "OpenAIChatStreamUsage",
    "OpenAIResponsesStreamUsage",
    "normalise_anthropic",
    "normalise_bedrock",
    "normalise_bedrock_invoke",
    "normalise_gemini",
    "normalise_langchain",
    "normalise_mistral",
    "normalise_openai_chat",
    "normalise_openai_response",
]
