import type { LanguageModelMiddleware } from 'ai';
import type { Tollgate } from '../client';
import { count, minus, normalised } from '../normalise/counts';
import { normaliseAnthropicUsage } from '../normalise/anthropic';
import { normaliseBedrockUsage } from '../normalise/bedrock';
import { normaliseGeminiUsage } from '../normalise/gemini';
import { normaliseChatCompletionUsage, type NormalisedUsage } from '../normalise/openai-chat';
import { normaliseResponse } from '../normalise/openai-responses';
import { CallObserver } from './observer';

interface AiUsage {
  inputTokens?: { total?: number; noCache?: number; cacheRead?: number; cacheWrite?: number } | number;
  outputTokens?: { total?: number; text?: number; reasoning?: number } | number;
  raw?: Record<string, unknown>;
}

/** "openai.chat" -> "openai", "amazon-bedrock" -> "bedrock", "google.generative-ai" -> "google". */
export function aiProvider(modelProvider: string): string {
  const name = modelProvider.split('.')[0];
  return name === 'amazon-bedrock' ? 'bedrock' : name;
}

/**
 * The provider's own usage object (`usage.raw`) is read with that provider's normaliser: it has what the
 * AI SDK's summary drops (1-hour cache writes, audio, OpenRouter's cost). Otherwise the summary.
 */
export function normaliseAiUsage(usage: AiUsage | undefined, modelProvider: string): NormalisedUsage | undefined {
  if (!usage) return undefined;
  const raw = usage.raw;
  const provider = aiProvider(modelProvider);
  if (raw && typeof raw === 'object') {
    if ('prompt_tokens' in raw) return normaliseChatCompletionUsage(raw);
    if ('promptTokenCount' in raw || 'prompt_token_count' in raw) return normaliseGeminiUsage(raw);
    if ('inputTokens' in raw && provider === 'bedrock') return normaliseBedrockUsage(raw);
    if ('input_tokens' in raw && provider === 'anthropic') return normaliseAnthropicUsage(raw);
    if ('input_tokens' in raw && provider === 'openai') return normaliseResponse({ usage: raw });
  }
  const input = typeof usage.inputTokens === 'object' ? usage.inputTokens : { total: usage.inputTokens };
  const output = typeof usage.outputTokens === 'object' ? usage.outputTokens : { total: usage.outputTokens };
  const cacheRead = count(input.cacheRead);
  const cacheWrite = count(input.cacheWrite);
  const reasoning = count(output.reasoning);
  return normalised({
    input_tokens: input.noCache !== undefined ? count(input.noCache) : minus(count(input.total), cacheRead, cacheWrite),
    cache_read_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
    cache_write_1h_tokens: 0,
    output_tokens: output.text !== undefined ? count(output.text) : minus(count(output.total), reasoning),
    reasoning_tokens: reasoning,
    audio_input_tokens: 0,
    audio_output_tokens: 0,
    images: 0,
    web_searches: 0,
    requests: 0,
  });
}

interface StreamPart {
  type: string;
  usage?: AiUsage;
  modelId?: string;
  error?: unknown;
}

/**
 * Vercel AI SDK middleware: `wrapLanguageModel({ model, middleware: tollgateMiddleware(tollgate) })`
 * meters every generateText / streamText / generateObject call of that model.
 */
export function tollgateMiddleware(tollgate: Tollgate): LanguageModelMiddleware {
  return {
    specificationVersion: 'v3',
    wrapGenerate: async ({ doGenerate, params, model }) => {
      const observer = new CallObserver(tollgate, aiProvider(model.provider), 'ai.generate', params.prompt, model.modelId);
      const verdict = observer.guard();
      if (verdict instanceof Error) throw verdict;
      if (verdict) await verdict;
      try {
        const result = await doGenerate();
        observer.succeed(normaliseAiUsage(result.usage as AiUsage, model.provider), result.response?.modelId ?? model.modelId);
        return result;
      } catch (error) {
        observer.fail(error, undefined, model.modelId);
        throw error;
      }
    },
    wrapStream: async ({ doStream, params, model }) => {
      const observer = new CallObserver(tollgate, aiProvider(model.provider), 'ai.stream', params.prompt, model.modelId);
      const verdict = observer.guard();
      if (verdict instanceof Error) throw verdict;
      if (verdict) await verdict;
      let result;
      try {
        result = await doStream();
      } catch (error) {
        observer.fail(error, undefined, model.modelId);
        throw error;
      }
      let modelId = model.modelId;
      let usage: NormalisedUsage | undefined;
      let failure: unknown;
      let finished = false;
      const reader = (result.stream as unknown as ReadableStream<StreamPart>).getReader();
      const tapped = new ReadableStream<StreamPart>({
        async pull(controller) {
          let next: Awaited<ReturnType<typeof reader.read>>;
          try {
            next = await reader.read();
          } catch (error) {
            observer.fail(error, usage, modelId);
            controller.error(error);
            return;
          }
          if (next.done) {
            if (failure !== undefined) observer.fail(failure, usage, modelId);
            else if (finished) observer.succeed(usage, modelId);
            else observer.abandon(usage, modelId);
            controller.close();
            return;
          }
          const part = next.value;
          if (part.type === 'response-metadata' && part.modelId) modelId = part.modelId;
          else if (part.type === 'finish') {
            usage = normaliseAiUsage(part.usage, model.provider);
            finished = true;
          } else if (part.type === 'error') failure = part.error;
          controller.enqueue(part);
        },
        cancel(reason) {
          observer.abandon(usage, modelId);
          return reader.cancel(reason);
        },
      });
      return { ...result, stream: tapped as unknown as typeof result.stream };
    },
  };
}
