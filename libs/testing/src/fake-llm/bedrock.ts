import { encodeBedrockEvent } from './eventstream';
import { type FakeCall, id, json, pieces, replyText } from './reply';

/** POST /model/{modelId}/converse and /model/{modelId}/converse-stream */
export function converse({ body, model, usage, res }: FakeCall, stream: boolean): void {
  const text = replyText({ ...body, model });
  if (!stream) {
    return json(res, 200, {
      output: { message: { role: 'assistant', content: [{ text }] } },
      stopReason: 'end_turn',
      usage,
      metrics: { latencyMs: 412 },
    });
  }
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'fake-request' });
  res.write(encodeBedrockEvent('messageStart', { role: 'assistant' }));
  for (const piece of pieces(text)) res.write(encodeBedrockEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text: piece } }));
  res.write(encodeBedrockEvent('contentBlockStop', { contentBlockIndex: 0 }));
  res.write(encodeBedrockEvent('messageStop', { stopReason: 'end_turn' }));
  res.write(encodeBedrockEvent('metadata', { usage, metrics: { latencyMs: 412 } }));
  res.end();
}

// InvokeModel / InvokeModelWithResponseStream: each model family's own body, told apart here by model id
// (formats from the Bedrock user guide, "Inference request parameters and response fields for foundation
// models"). `usage` is neutral ({input, output, cacheRead, cacheWrite, cacheWrite1h}) and rendered in each
// family's shape; `bodyUsage` replaces the family's usage object as sent, `tokenCounts: false` drops
// Bedrock's own counts (the x-amzn-bedrock-* headers and the stream's invocation metrics).

type Family = 'anthropic' | 'nova' | 'openai' | 'native';

function family(modelId: string): Family {
  if (modelId.includes('anthropic.')) return 'anthropic';
  if (modelId.includes('amazon.nova')) return 'nova';
  if (/(^|\.)(openai|qwen|deepseek)\./.test(modelId)) return 'openai';
  return 'native'; // e.g. mistral.mistral-7b-instruct: no usage in its body
}

interface InvokeUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h: number;
  bodyUsage?: Record<string, unknown>;
  tokenCounts?: boolean;
}

function familyUsage(f: Family, u: InvokeUsage): Record<string, unknown> | undefined {
  if (u.bodyUsage) return u.bodyUsage;
  if (f === 'anthropic') {
    return {
      input_tokens: u.input,
      cache_creation_input_tokens: u.cacheWrite,
      cache_read_input_tokens: u.cacheRead,
      cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite - u.cacheWrite1h, ephemeral_1h_input_tokens: u.cacheWrite1h },
      output_tokens: u.output,
    };
  }
  if (f === 'nova') {
    return {
      inputTokens: u.input,
      outputTokens: u.output,
      totalTokens: u.input + u.output + u.cacheRead + u.cacheWrite,
      cacheReadInputTokenCount: u.cacheRead,
      cacheWriteInputTokenCount: u.cacheWrite,
    };
  }
  if (f === 'openai') {
    const prompt = u.input + u.cacheRead;
    return {
      prompt_tokens: prompt,
      completion_tokens: u.output,
      total_tokens: prompt + u.output,
      prompt_tokens_details: { cached_tokens: u.cacheRead },
    };
  }
  return undefined;
}

function tokenHeaders(u: InvokeUsage): Record<string, string> {
  if (u.tokenCounts === false) return {};
  return {
    'x-amzn-bedrock-input-token-count': String(u.input),
    'x-amzn-bedrock-output-token-count': String(u.output),
    'x-amzn-bedrock-cache-read-input-token-count': String(u.cacheRead),
    'x-amzn-bedrock-cache-write-input-token-count': String(u.cacheWrite),
    'x-amzn-bedrock-invocation-latency': '412',
  };
}

function invocationMetrics(u: InvokeUsage): Record<string, unknown> {
  if (u.tokenCounts === false) return {};
  return {
    'amazon-bedrock-invocationMetrics': {
      inputTokenCount: u.input,
      outputTokenCount: u.output,
      invocationLatency: 412,
      firstByteLatency: 120,
      cacheReadInputTokenCount: u.cacheRead,
      cacheWriteInputTokenCount: u.cacheWrite,
    },
  };
}

function invokeBody(f: Family, modelId: string, text: string, usage: Record<string, unknown> | undefined): Record<string, unknown> {
  if (f === 'anthropic') {
    return {
      id: id('msg_bdrk_'),
      type: 'message',
      role: 'assistant',
      model: modelId.replace(/^.*anthropic\./, ''),
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage,
    };
  }
  if (f === 'nova') return { output: { message: { role: 'assistant', content: [{ text }] } }, stopReason: 'end_turn', usage };
  if (f === 'openai') {
    return {
      id: id('chatcmpl-'),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: modelId,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage,
    };
  }
  return { outputs: [{ text, stop_reason: 'stop' }] };
}

/** The chunk payloads of a streamed invocation; the last one carries Bedrock's invocation metrics. */
function invokeChunks(f: Family, modelId: string, text: string, u: InvokeUsage, body: Record<string, unknown>): Record<string, unknown>[] {
  const usage = familyUsage(f, u);
  const parts = pieces(text);
  let chunks: Record<string, unknown>[];
  if (f === 'anthropic') {
    const start = usage && !u.bodyUsage ? { ...usage, output_tokens: 1 } : usage;
    chunks = [
      { type: 'message_start', message: { ...invokeBody(f, modelId, '', start), content: [], stop_reason: null } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ...parts.map((piece) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } })),
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: u.bodyUsage ?? { output_tokens: u.output } },
      { type: 'message_stop' },
    ];
  } else if (f === 'nova') {
    chunks = [
      { messageStart: { role: 'assistant' } },
      ...parts.map((piece) => ({ contentBlockDelta: { delta: { text: piece }, contentBlockIndex: 0 } })),
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: 'end_turn' } },
      { metadata: { usage, metrics: {}, trace: {} } },
    ];
  } else if (f === 'openai') {
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
      id: 'chatcmpl-bedrock',
      object: 'chat.completion.chunk',
      created: 0,
      model: modelId,
      choices,
      ...extra,
    });
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    chunks = [
      ...parts.map((piece) => chunk([{ index: 0, delta: { content: piece }, finish_reason: null }])),
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
      ...(includeUsage ? [chunk([], { usage })] : []),
    ];
  } else {
    chunks = parts.map((piece, i) => ({ outputs: [{ text: piece, stop_reason: i === parts.length - 1 ? 'stop' : null }] }));
  }
  Object.assign(chunks[chunks.length - 1], invocationMetrics(u));
  return chunks;
}

/** POST /model/{modelId}/invoke and /model/{modelId}/invoke-with-response-stream */
export function invoke({ body, model, usage, res }: FakeCall, stream: boolean): void {
  const u = usage as unknown as InvokeUsage;
  const f = family(model);
  const text = replyText({ ...body, model });
  if (!stream)
    return json(res, 200, invokeBody(f, model, text, familyUsage(f, u)), { 'x-amzn-requestid': 'fake-request', ...tokenHeaders(u) });
  res.writeHead(200, {
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': 'fake-request',
    'x-amzn-bedrock-content-type': 'application/json',
  });
  for (const payload of invokeChunks(f, model, text, u, body)) {
    res.write(encodeBedrockEvent('chunk', { bytes: Buffer.from(JSON.stringify(payload)).toString('base64') }));
  }
  res.end();
}
