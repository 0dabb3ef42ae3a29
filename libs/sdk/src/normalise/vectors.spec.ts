// Runs the shared test vectors (libs/sdk/test-vectors, also run by the Python SDK) through the normalisers.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { USAGE_DIMENSIONS } from '../dimensions';
import { normaliseLangChainUsage } from '../instrument/langchain';
import { AnthropicStreamUsage, normaliseAnthropicUsage } from './anthropic';
import { BedrockStreamUsage, normaliseBedrockUsage } from './bedrock';
import { BedrockInvokeStreamUsage, normaliseBedrockInvoke } from './bedrock-invoke';
import { GeminiStreamUsage, normaliseGeminiUsage } from './gemini';
import { MistralStreamUsage, normaliseMistralUsage } from './mistral';
import { ChatCompletionStreamUsage, normaliseChatCompletionUsage, type NormalisedUsage } from './openai-chat';
import { normaliseResponse, ResponsesStreamUsage } from './openai-responses';

const DIR = path.resolve(__dirname, '../../test-vectors');

interface Accumulator {
  observe(item: never): void;
  result(): NormalisedUsage | undefined;
}

/** A stream shape: its items in order; no usage at all is unknown too (the instrumentation sends it so). */
function stream(make: () => Accumulator) {
  return (input: unknown): NormalisedUsage => {
    if (!Array.isArray(input)) throw new Error('a stream shape takes an array of items');
    const acc = make();
    for (const item of input) acc.observe(item as never);
    return acc.result() ?? { usage: {}, status: 'usage_unknown' };
  };
}

const SHAPES: Record<string, (input: unknown) => NormalisedUsage> = {
  'openai-chat': (input) => normaliseChatCompletionUsage(input as never),
  'openai-chat-stream': stream(() => new ChatCompletionStreamUsage()),
  'openai-responses': (input) => normaliseResponse(input as never),
  'openai-responses-stream': stream(() => new ResponsesStreamUsage()),
  anthropic: (input) => normaliseAnthropicUsage(input as never),
  'anthropic-stream': stream(() => new AnthropicStreamUsage()),
  gemini: (input) => normaliseGeminiUsage(input as never),
  'gemini-stream': stream(() => new GeminiStreamUsage()),
  'bedrock-converse': (input) => normaliseBedrockUsage(input as never),
  'bedrock-converse-stream': stream(() => new BedrockStreamUsage()),
  'bedrock-invoke': (input) => {
    const { body, headers } = input as { body: unknown; headers?: Record<string, unknown> };
    return normaliseBedrockInvoke(body, headers);
  },
  // Items are the decoded chunk payloads (what each event's chunk.bytes carries).
  'bedrock-invoke-stream': stream(() => {
    const acc = new BedrockInvokeStreamUsage();
    return { observe: (payload: never) => acc.observePayload(payload), result: () => acc.result() };
  }),
  mistral: (input) => normaliseMistralUsage(input as never),
  'mistral-stream': stream(() => new MistralStreamUsage()),
  langchain: (input) => normaliseLangChainUsage(input as never),
};

interface VectorCase {
  name: string;
  source: string;
  input: unknown;
  expected: Record<string, unknown>;
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const DIMENSIONS: ReadonlySet<string> = new Set(USAGE_DIMENSIONS);

/** What the normaliser must return for a case's `expected`. */
function wanted(expected: Record<string, unknown>): NormalisedUsage {
  if (expected.usage_unknown === true) return { usage: {}, status: 'usage_unknown' };
  const { cost, ...usage } = expected;
  return cost === undefined
    ? { usage: usage as NormalisedUsage['usage'] }
    : { usage: usage as NormalisedUsage['usage'], cost: cost as string };
}

it('finds the vector files', () => {
  expect(files.length).toBeGreaterThan(0);
});

describe.each(files)('test vectors %s', (file) => {
  const doc = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as { shape: string; cases: VectorCase[] };

  it('names a shape the TS normalisers know, and well-formed cases', () => {
    expect(Object.keys(SHAPES)).toContain(doc.shape);
    expect(doc.cases.length).toBeGreaterThan(0);
    expect(new Set(doc.cases.map((c) => c.name)).size).toBe(doc.cases.length);
    for (const c of doc.cases) {
      expect(typeof c.name === 'string' && typeof c.source === 'string' && c.source.length > 0).toBe(true);
      expect('input' in c).toBe(true);
      if (c.expected.usage_unknown !== undefined) {
        expect(c.expected).toEqual({ usage_unknown: true });
        continue;
      }
      for (const [key, value] of Object.entries(c.expected)) {
        if (key === 'cost') expect(value).toMatch(/^\d+(\.\d+)?$/);
        else {
          expect(DIMENSIONS.has(key)).toBe(true);
          expect(Number.isSafeInteger(value) && (value as number) > 0).toBe(true);
        }
      }
    }
  });

  it.each(doc.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const normalise = SHAPES[doc.shape];
    if (!normalise) throw new Error(`${file}: unknown shape "${doc.shape}"`);
    expect(normalise(c.input)).toEqual(wanted(c.expected));
  });
});
