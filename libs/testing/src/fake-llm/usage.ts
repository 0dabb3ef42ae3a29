// The usage each fake provider reports, in the provider's own shape. Defaults exercise every detail the
// SDK's normalisers must take apart (cache reads and writes, reasoning), with figures a test can check.

export const defaultUsage = {
  openai: {
    prompt_tokens: 1200,
    completion_tokens: 340,
    total_tokens: 1540,
    prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 128, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
  openaiResponses: {
    input_tokens: 900,
    input_tokens_details: { cached_tokens: 512 },
    output_tokens: 300,
    output_tokens_details: { reasoning_tokens: 64 },
    total_tokens: 1200,
  },
  openrouter: {
    prompt_tokens: 2000,
    completion_tokens: 150,
    total_tokens: 2150,
    cost: 0.0013845,
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 1500, cache_write_tokens: 300, audio_tokens: 0 },
    cost_details: { upstream_inference_cost: null },
    completion_tokens_details: { reasoning_tokens: 0, image_tokens: 0 },
  },
  anthropic: {
    input_tokens: 25,
    cache_creation_input_tokens: 1500,
    cache_read_input_tokens: 3000,
    cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 500 },
    output_tokens: 410,
    service_tier: 'standard',
    server_tool_use: null,
  },
  gemini: {
    promptTokenCount: 1300,
    candidatesTokenCount: 250,
    thoughtsTokenCount: 90,
    cachedContentTokenCount: 1024,
    totalTokenCount: 1640,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: 1300 }],
    cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 1024 }],
  },
  bedrock: {
    inputTokens: 40,
    outputTokens: 220,
    totalTokens: 2608,
    cacheReadInputTokens: 2048,
    cacheWriteInputTokens: 300,
    cacheDetails: [{ ttl: '1h', inputTokens: 300 }],
  },
  // Neutral counts, rendered in each InvokeModel family's own shape (see bedrock.ts `invoke`).
  bedrockInvoke: { input: 40, output: 220, cacheRead: 2048, cacheWrite: 300, cacheWrite1h: 200 },
  mistral: {
    prompt_tokens: 1800,
    completion_tokens: 250,
    total_tokens: 2050,
    prompt_tokens_details: { cached_tokens: 1536 },
  },
};

export type FakeProvider = keyof typeof defaultUsage;
export type ProviderUsage = Record<string, unknown>;
