import { type FakeCall, id, json, pieces, replyText, sse, sseStart } from './reply';

/** POST /v1/messages */
export function messages({ body, model, usage, res }: FakeCall): void {
  const text = replyText(body);
  const message = {
    id: id('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage,
  };
  if (body.stream !== true) return json(res, 200, message);
  sseStart(res);
  // message_start carries the input side and a first output count; message_delta the cumulative totals.
  const startUsage = 'output_tokens' in usage ? { ...usage, output_tokens: 1 } : usage;
  sse(res, { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: startUsage } }, 'message_start');
  sse(res, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start');
  sse(res, { type: 'ping' }, 'ping');
  for (const piece of pieces(text))
    sse(res, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } }, 'content_block_delta');
  sse(res, { type: 'content_block_stop', index: 0 }, 'content_block_stop');
  const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens, server_tool_use } = usage;
  sse(
    res,
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens, server_tool_use },
    },
    'message_delta',
  );
  sse(res, { type: 'message_stop' }, 'message_stop');
  res.end();
}
