import { encodeBedrockEvent } from './eventstream';
import { type FakeCall, json, pieces, replyText } from './reply';

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
