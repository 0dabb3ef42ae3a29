import type { NormalisedUsage } from './openai-chat';
import { normaliseChatCompletionUsage } from './openai-chat';
import { AnthropicStreamUsage, normaliseAnthropicUsage } from './anthropic';
import { normaliseBedrockUsage } from './bedrock';
import { record } from './counts';

// Bedrock InvokeModel bodies are each model family's own format. Few carry usage, in three shapes, told
// apart by their keys (never by model id): Anthropic Messages (`usage.input_tokens`), Amazon Nova
// (`usage.inputTokens`, Converse-shaped), OpenAI-compatible (`usage.prompt_tokens`: gpt-oss, Qwen, DeepSeek,
// Mistral 3, …). Every family also gets Bedrock's own token counts: response headers on InvokeModel, the
// `amazon-bedrock-invocationMetrics` of a stream's last chunk.

function has(o: Record<string, unknown>, ...keys: string[]): boolean {
  return keys.some((k) => k in o);
}

/** A body's usage in its family's shape, or undefined when the body has none this reads. */
function bodyUsage(body: unknown): NormalisedUsage | undefined {
  const usage = record(record(body).usage);
  if (has(usage, 'input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'))
    return normaliseAnthropicUsage(usage);
  if (has(usage, 'inputTokens', 'outputTokens')) return normaliseBedrockUsage(usage);
  if (has(usage, 'prompt_tokens', 'completion_tokens')) return normaliseChatCompletionUsage(usage);
  return undefined;
}

/** A token-count header: a decimal integer string (header values are text). */
function headerCount(headers: Record<string, unknown>, name: string): number | undefined {
  const value = headers[name];
  return typeof value === 'string' && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

/**
 * InvokeModel: the body's own usage when it has one it reads (it carries more, e.g. Anthropic's cache TTL
 * split), else the `x-amzn-bedrock-*-token-count` headers (lower-case names), which count like Converse:
 * input excludes cache reads and writes.
 */
export function normaliseBedrockInvoke(body: unknown, headers: Record<string, unknown> = {}): NormalisedUsage {
  const fromBody = bodyUsage(body);
  if (fromBody && fromBody.status !== 'usage_unknown') return fromBody;
  return normaliseBedrockUsage({
    inputTokens: headerCount(headers, 'x-amzn-bedrock-input-token-count'),
    outputTokens: headerCount(headers, 'x-amzn-bedrock-output-token-count'),
    cacheReadInputTokens: headerCount(headers, 'x-amzn-bedrock-cache-read-input-token-count'),
    cacheWriteInputTokens: headerCount(headers, 'x-amzn-bedrock-cache-write-input-token-count'),
  });
}

interface InvocationMetrics {
  inputTokenCount?: number;
  outputTokenCount?: number;
  cacheReadInputTokenCount?: number;
  cacheWriteInputTokenCount?: number;
}

/**
 * InvokeModelWithResponseStream: each event's `chunk.bytes` is one JSON payload of the family's stream
 * format. The family's usage (Anthropic message_start / message_delta, Nova `metadata.usage`, an OpenAI
 * chunk's `usage`) wins; else the last chunk's `amazon-bedrock-invocationMetrics`. The model stays the
 * request's modelId (what Bedrock prices), whatever name the body gives it.
 */
export class BedrockInvokeStreamUsage {
  private readonly anthropic = new AnthropicStreamUsage();
  private family: NormalisedUsage | undefined;
  private metrics: InvocationMetrics | undefined;
  private readonly decoder = new TextDecoder();

  /** A stream event as the AWS SDK yields it: `{ chunk: { bytes } }`. Other members are not usage. */
  observe(event: { chunk?: { bytes?: Uint8Array } }): void {
    const bytes = event?.chunk?.bytes;
    if (!(bytes instanceof Uint8Array)) return;
    let payload: unknown;
    try {
      payload = JSON.parse(this.decoder.decode(bytes));
    } catch {
      return; // not JSON: no usage in it
    }
    this.observePayload(payload);
  }

  /** One decoded chunk payload. */
  observePayload(payload: unknown): void {
    const p = record(payload);
    const metrics = p['amazon-bedrock-invocationMetrics'];
    if (metrics && typeof metrics === 'object') this.metrics = metrics as InvocationMetrics;
    if (p.type === 'message_start' || p.type === 'message_delta') {
      this.anthropic.observe(p);
      this.family = this.anthropic.result();
    } else if (record(p.metadata).usage) {
      this.family = normaliseBedrockUsage(record(record(p.metadata).usage));
    } else if (p.usage && typeof p.usage === 'object') {
      this.family = normaliseChatCompletionUsage(p.usage);
    }
  }

  result(): NormalisedUsage | undefined {
    if (this.family && this.family.status !== 'usage_unknown') return this.family;
    if (this.metrics) {
      return normaliseBedrockUsage({
        inputTokens: this.metrics.inputTokenCount,
        outputTokens: this.metrics.outputTokenCount,
        cacheReadInputTokens: this.metrics.cacheReadInputTokenCount,
        cacheWriteInputTokens: this.metrics.cacheWriteInputTokenCount,
      });
    }
    return this.family;
  }
}
