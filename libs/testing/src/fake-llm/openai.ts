import { type FakeCall, id, json, pieces, replyText, sse, sseStart } from './reply';

/** POST /v1/chat/completions (and OpenRouter's /api/v1/chat/completions, which always sends usage). */
export function chatCompletions({ body, model, usage, res }: FakeCall, alwaysUsage = false): void {
  const created = Math.floor(Date.now() / 1000);
  const completionId = id('chatcmpl-');
  const text = replyText(body);
  if (body.stream !== true) {
    return json(res, 200, {
      id: completionId,
      object: 'chat.completion',
      created,
      model,
      choices: [
        { index: 0, message: { role: 'assistant', content: text, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' },
      ],
      usage,
      service_tier: 'default',
      system_fingerprint: 'fp_fake0001',
    });
  }
  const includeUsage = alwaysUsage || (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id: completionId,
    object: 'chat.completion.chunk',
    created,
    model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake0001',
    choices,
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
  });
  sseStart(res);
  sse(res, chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]));
  for (const piece of pieces(text)) sse(res, chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]));
  sse(res, chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]));
  if (includeUsage) sse(res, chunk([], { usage }));
  sse(res, '[DONE]');
  res.end();
}

/** POST /v1/responses */
export function responses({ body, model, usage, res }: FakeCall): void {
  const responseId = id('resp_');
  const messageId = id('msg_');
  const text = replyText(body);
  const created_at = Math.floor(Date.now() / 1000);
  const reasoning = ((usage.output_tokens_details as { reasoning_tokens?: number } | undefined)?.reasoning_tokens ?? 0) > 0;
  const message = {
    type: 'message',
    id: messageId,
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
  const output = [...(reasoning ? [{ type: 'reasoning', id: id('rs_'), summary: [] }] : []), message];
  const response = (status: string, withOutput: boolean) => ({
    id: responseId,
    object: 'response',
    created_at,
    status,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model,
    output: withOutput ? output : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: withOutput ? usage : null,
    user: null,
    metadata: {},
  });
  if (body.stream !== true) return json(res, 200, response('completed', true));
  sseStart(res);
  let seq = 0;
  const emit = (type: string, data: Record<string, unknown>) => sse(res, { type, sequence_number: seq++, ...data }, type);
  emit('response.created', { response: response('in_progress', false) });
  emit('response.in_progress', { response: response('in_progress', false) });
  const index = output.length - 1;
  if (reasoning) {
    emit('response.output_item.added', { output_index: 0, item: output[0] });
    emit('response.output_item.done', { output_index: 0, item: output[0] });
  }
  emit('response.output_item.added', { output_index: index, item: { ...message, status: 'in_progress', content: [] } });
  emit('response.content_part.added', {
    item_id: messageId,
    output_index: index,
    content_index: 0,
    part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
  });
  for (const piece of pieces(text))
    emit('response.output_text.delta', { item_id: messageId, output_index: index, content_index: 0, delta: piece, logprobs: [] });
  emit('response.output_text.done', { item_id: messageId, output_index: index, content_index: 0, text, logprobs: [] });
  emit('response.content_part.done', { item_id: messageId, output_index: index, content_index: 0, part: message.content[0] });
  emit('response.output_item.done', { output_index: index, item: message });
  emit('response.completed', { response: response('completed', true) });
  res.end();
}
