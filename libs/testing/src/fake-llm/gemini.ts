import { type FakeCall, id, json, pieces, replyText } from './reply';

/** POST /v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse */
export function generateContent({ body, model, usage, res }: FakeCall, stream: boolean): void {
  const text = replyText({ ...body, model });
  const responseId = id('');
  const chunk = (part: string, finish: boolean, running: Record<string, unknown>) => ({
    candidates: [{ content: { parts: [{ text: part }], role: 'model' }, ...(finish ? { finishReason: 'STOP' } : {}), index: 0 }],
    usageMetadata: running,
    modelVersion: model,
    responseId,
  });
  if (!stream) return json(res, 200, chunk(text, true, usage));
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const parts = pieces(text);
  const candidates = Number(usage.candidatesTokenCount ?? 0);
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    // Every chunk carries the running usage; the last one the totals.
    const running = last ? usage : { ...usage, candidatesTokenCount: Math.floor((candidates * (i + 1)) / parts.length) };
    res.write(`data: ${JSON.stringify(chunk(part, last, running))}\r\n\r\n`);
  });
  res.end();
}
