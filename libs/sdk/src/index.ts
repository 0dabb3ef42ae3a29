export { Tollgate, type TollgateOptions, type ShutdownOptions } from './client';
export type { Attribution } from './context';
export type { BudgetGuardOptions } from './budget';
export { BudgetExceededError, TollgateDeliveryError, type Entitlement } from './errors';
export { USAGE_DIMENSIONS, type Usage, type UsageDimension } from './dimensions';
export type {
  TrackEvent,
  WireEvent,
  EventStatus,
  DeliveryResult,
  DeliveryStatus,
  DropReason,
  TollgateStats,
  TollgateWarning,
} from './types';
export { uuidv7 } from './uuidv7';

export {
  normaliseChatCompletionUsage,
  ChatCompletionStreamUsage,
  type NormalisedUsage,
  type ChatCompletionUsage,
} from './normalise/openai-chat';
export { normaliseResponse, ResponsesStreamUsage, type ResponsesUsage, type ResponsesResult } from './normalise/openai-responses';
export { normaliseAnthropicUsage, AnthropicStreamUsage, type AnthropicUsage } from './normalise/anthropic';
export { normaliseGeminiUsage, GeminiStreamUsage, type GeminiUsageMetadata, type GeminiResponseLike } from './normalise/gemini';
export { normaliseBedrockUsage, BedrockStreamUsage, type BedrockTokenUsage } from './normalise/bedrock';
export { normaliseBedrockInvoke, BedrockInvokeStreamUsage } from './normalise/bedrock-invoke';
export { normaliseMistralUsage, MistralStreamUsage, type MistralUsage } from './normalise/mistral';

export { wrapOpenAI, type OpenAILike, type WrapOpenAIOptions } from './instrument/openai';
export { wrapAnthropic, type AnthropicLike } from './instrument/anthropic';
export { wrapBedrock, type BedrockRuntimeLike } from './instrument/bedrock';
export { wrapMistral, type MistralLike } from './instrument/mistral';
export { wrapGoogleGenAI, type GoogleGenAILike } from './instrument/google-genai';
export { tollgateMiddleware, normaliseAiUsage } from './instrument/vercel-ai';
export { tollgateCallbacks, normaliseLangChainUsage } from './instrument/langchain';
