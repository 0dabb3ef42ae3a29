import { type FakeCall, id, json, pieces, replyText, sse, sseStart } from './reply';

/**
 * POST /mistral/v1/chat/completions (Mistral's /v1/chat/completions, under a prefix of its own here).
 * Format from Mistral's API reference (docs.mistral.ai/api, "Chat Completion"): OpenAI-chat-shaped; a
 * stream's last chunk, the one with a finish_reason, carries the usage, then `data: [DONE]`.
 */
export function mistralChat({ body, model, usage, res }: FakeCall): void {
  const created = Math.floor(Date.now() / 1000);
  const completionId = id('');
  const text = replyText(body);
  if (body.stream !== true) {
    return json(res, 200, {
      id: completionId,
      object: 'chat.completion',
      model,
      usage,
      created,
      choices: [{ index: 0, message: { role: 'assistant', content: text, tool_calls: null, prefix: false }, finish_reason: 'stop' }],
    });
  }
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id: completionId,
    object: 'chat.completion.chunk',
    created,
    model,
    choices,
    ...extra,
  });
  sseStart(res);
  sse(res, chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
  const parts = pieces(text);
  parts.forEach((piece, i) => {
    const last = i === parts.length - 1;
    sse(res, chunk([{ index: 0, delta: { content: piece }, finish_reason: last ? 'stop' : null }], last ? { usage } : {}));
  });
  sse(res, '[DONE]');
  res.end();
}
