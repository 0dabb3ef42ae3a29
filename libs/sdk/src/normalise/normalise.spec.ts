// Usage objects as the providers document them (figures from their API references and guides), mapped to
// Tollgate's disjoint dimensions. The invariant under every case: no token counted twice, none lost.
import { AnthropicStreamUsage, normaliseAnthropicUsage } from './anthropic';
import { BedrockStreamUsage, normaliseBedrockUsage } from './bedrock';
import { GeminiStreamUsage, normaliseGeminiUsage } from './gemini';
import { ChatCompletionStreamUsage, normaliseChatCompletionUsage } from './openai-chat';
import { normaliseResponse, ResponsesStreamUsage } from './openai-responses';

describe('OpenAI Chat Completions', () => {
  it('takes cached input out of prompt_tokens (prompt caching guide)', () => {
    const usage = {
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920 },
      completion_tokens_details: { reasoning_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    expect(normaliseChatCompletionUsage(usage)).toEqual({
      usage: { input_tokens: 86, cache_read_tokens: 1920, output_tokens: 300 },
    });
  });

  it('takes reasoning and audio out of completion_tokens, audio out of prompt_tokens', () => {
    const usage = {
      prompt_tokens: 1117,
      completion_tokens: 46,
      total_tokens: 1163,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    };
    expect(normaliseChatCompletionUsage(usage).usage).toEqual({ input_tokens: 1117, output_tokens: 46 });
    const o3 = {
      prompt_tokens: 75,
      completion_tokens: 1186,
      total_tokens: 1261,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 1024, audio_tokens: 0 },
    };
    expect(normaliseChatCompletionUsage(o3).usage).toEqual({ input_tokens: 75, output_tokens: 162, reasoning_tokens: 1024 });
    const audio = {
      prompt_tokens: 60,
      completion_tokens: 320,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 45 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 290 },
    };
    expect(normaliseChatCompletionUsage(audio).usage).toEqual({
      input_tokens: 15,
      audio_input_tokens: 45,
      output_tokens: 30,
      audio_output_tokens: 290,
    });
  });

  it('OpenRouter: carries usage.cost and takes cache writes out of prompt_tokens (usage accounting docs)', () => {
    const usage = {
      completion_tokens: 2,
      completion_tokens_details: { reasoning_tokens: 0 },
      cost: 0.95,
      cost_details: { upstream_inference_cost: 19 },
      prompt_tokens: 194,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 100, audio_tokens: 0 },
      total_tokens: 196,
    };
    expect(normaliseChatCompletionUsage(usage)).toEqual({
      usage: { input_tokens: 94, cache_write_tokens: 100, output_tokens: 2 },
      cost: '0.95',
    });
    expect(normaliseChatCompletionUsage({ prompt_tokens: 10, completion_tokens: 1, cost: 1.5e-7 }).cost).toBe('0.00000015');
  });

  it('a stream reports the usage of its final chunk (stream_options.include_usage)', () => {
    const acc = new ChatCompletionStreamUsage();
    acc.observe({ model: 'gpt-4o-mini-2024-07-18', usage: null });
    acc.observe({ model: 'gpt-4o-mini-2024-07-18', usage: null });
    acc.observe({ model: 'gpt-4o-mini-2024-07-18', usage: { prompt_tokens: 13, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 0 } } });
    expect(acc.model).toBe('gpt-4o-mini-2024-07-18');
    expect(acc.result()).toEqual({ usage: { input_tokens: 13, output_tokens: 7 } });
    expect(new ChatCompletionStreamUsage().result()).toBeUndefined();
  });
});

describe('OpenAI Responses', () => {
  it('takes cached input out of input_tokens and reasoning out of output_tokens (reasoning guide)', () => {
    const response = {
      model: 'o4-mini-2025-04-16',
      output: [{ type: 'reasoning' }, { type: 'message' }],
      usage: {
        input_tokens: 75,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 1186,
        output_tokens_details: { reasoning_tokens: 1024 },
        total_tokens: 1261,
      },
    };
    expect(normaliseResponse(response).usage).toEqual({ input_tokens: 75, output_tokens: 162, reasoning_tokens: 1024 });
  });

  it('counts hosted web searches and cached input', () => {
    const response = {
      output: [{ type: 'web_search_call' }, { type: 'web_search_call' }, { type: 'message' }],
      usage: { input_tokens: 3000, input_tokens_details: { cached_tokens: 2048 }, output_tokens: 400, output_tokens_details: { reasoning_tokens: 0 } },
    };
    expect(normaliseResponse(response).usage).toEqual({ input_tokens: 952, cache_read_tokens: 2048, output_tokens: 400, web_searches: 2 });
  });

  it('a stream reports the terminal event', () => {
    const acc = new ResponsesStreamUsage();
    acc.observe({ type: 'response.created', response: { model: 'gpt-4.1', usage: null } });
    acc.observe({ type: 'response.output_text.delta' });
    acc.observe({ type: 'response.completed', response: { model: 'gpt-4.1', output: [], usage: { input_tokens: 37, output_tokens: 11, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } } } });
    expect(acc.result()).toEqual({ usage: { input_tokens: 37, output_tokens: 11 } });
  });
});

describe('Anthropic Messages', () => {
  it('keeps input_tokens as fresh input and splits cache writes by TTL (prompt caching docs)', () => {
    const usage = {
      input_tokens: 2048,
      cache_read_input_tokens: 1800,
      cache_creation_input_tokens: 248,
      output_tokens: 503,
      cache_creation: { ephemeral_5m_input_tokens: 148, ephemeral_1h_input_tokens: 100 },
    };
    expect(normaliseAnthropicUsage(usage).usage).toEqual({
      input_tokens: 2048,
      cache_read_tokens: 1800,
      cache_write_tokens: 148,
      cache_write_1h_tokens: 100,
      output_tokens: 503,
    });
  });

  it('counts unattributed cache writes as 5-minute writes and web searches as server tool use', () => {
    const usage = {
      input_tokens: 10,
      cache_creation_input_tokens: 1024,
      cache_read_input_tokens: 0,
      output_tokens: 20,
      server_tool_use: { web_search_requests: 3 },
    };
    expect(normaliseAnthropicUsage(usage).usage).toEqual({ input_tokens: 10, cache_write_tokens: 1024, output_tokens: 20, web_searches: 3 });
  });

  it("a stream's message_delta usage replaces message_start's, never adds to it", () => {
    const acc = new AnthropicStreamUsage();
    acc.observe({
      type: 'message_start',
      message: { model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 472, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 2 } },
    });
    acc.observe({ type: 'content_block_delta' });
    acc.observe({ type: 'message_delta', usage: { output_tokens: 89 } });
    acc.observe({ type: 'message_delta', usage: { input_tokens: 472, cache_creation_input_tokens: null, output_tokens: 120 } });
    expect(acc.model).toBe('claude-sonnet-4-5-20250929');
    expect(acc.result()).toEqual({ usage: { input_tokens: 472, output_tokens: 120 } });
  });
});

describe('Gemini generateContent', () => {
  it('takes cached and audio input out of promptTokenCount; thoughts are their own dimension', () => {
    const usageMetadata = {
      promptTokenCount: 1250,
      candidatesTokenCount: 611,
      totalTokenCount: 3095,
      cachedContentTokenCount: 1000,
      thoughtsTokenCount: 1234,
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: 1050 },
        { modality: 'AUDIO', tokenCount: 200 },
      ],
      cacheTokensDetails: [
        { modality: 'TEXT', tokenCount: 900 },
        { modality: 'AUDIO', tokenCount: 100 },
      ],
    };
    expect(normaliseGeminiUsage(usageMetadata).usage).toEqual({
      input_tokens: 150,
      cache_read_tokens: 1000,
      audio_input_tokens: 100,
      output_tokens: 611,
      reasoning_tokens: 1234,
    });
  });

  it('counts tool-use prompt tokens as input (text generation docs example otherwise)', () => {
    const usageMetadata = {
      promptTokenCount: 4,
      candidatesTokenCount: 611,
      toolUsePromptTokenCount: 96,
      totalTokenCount: 711,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 4 }],
    };
    expect(normaliseGeminiUsage(usageMetadata).usage).toEqual({ input_tokens: 100, output_tokens: 611 });
  });

  it('a stream reports its last running total', () => {
    const acc = new GeminiStreamUsage();
    acc.observe({ modelVersion: 'gemini-2.5-flash', usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 3 } });
    acc.observe({ modelVersion: 'gemini-2.5-flash', usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 40, thoughtsTokenCount: 12 } });
    expect(acc.result()).toEqual({ usage: { input_tokens: 8, output_tokens: 40, reasoning_tokens: 12 } });
  });
});

describe('Bedrock Converse', () => {
  it('keeps its disjoint counts (Converse API reference)', () => {
    expect(normaliseBedrockUsage({ inputTokens: 12, outputTokens: 30, totalTokens: 42 } as never).usage).toEqual({ input_tokens: 12, output_tokens: 30 });
  });

  it('splits cache writes by TTL from cacheDetails', () => {
    const usage = {
      inputTokens: 15,
      outputTokens: 300,
      totalTokens: 3315,
      cacheReadInputTokens: 1000,
      cacheWriteInputTokens: 2000,
      cacheDetails: [
        { ttl: '5m', inputTokens: 500 },
        { ttl: '1h', inputTokens: 1500 },
      ],
    };
    expect(normaliseBedrockUsage(usage).usage).toEqual({
      input_tokens: 15,
      cache_read_tokens: 1000,
      cache_write_tokens: 500,
      cache_write_1h_tokens: 1500,
      output_tokens: 300,
    });
  });

  it('reads the *Count alias once, never adding both names', () => {
    const usage = { inputTokens: 5, outputTokens: 7, cacheReadInputTokens: 64, cacheReadInputTokenCount: 64, cacheWriteInputTokenCount: 32 };
    expect(normaliseBedrockUsage(usage).usage).toEqual({ input_tokens: 5, cache_read_tokens: 64, cache_write_tokens: 32, output_tokens: 7 });
  });

  it('ConverseStream: the metadata event carries the usage', () => {
    const acc = new BedrockStreamUsage();
    acc.observe({});
    acc.observe({ metadata: { usage: { inputTokens: 20, outputTokens: 9, cacheReadInputTokens: 0 } } });
    expect(acc.result()).toEqual({ usage: { input_tokens: 20, output_tokens: 9 } });
  });
});
