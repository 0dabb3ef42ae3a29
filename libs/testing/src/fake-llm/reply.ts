import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

/** What one fake provider handler gets. */
export interface FakeCall {
  body: Record<string, unknown>;
  /** The model from the body or the path. */
  model: string;
  usage: Record<string, unknown>;
  res: ServerResponse;
}

export function id(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

export function replyText(body: Record<string, unknown>): string {
  return `Hello from the fake ${typeof body.model === 'string' ? body.model : 'model'}: metered and billed.`;
}

/** The reply split as a provider streams it: word by word, spaces kept. */
export function pieces(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [text];
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function sseStart(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
}

export function sse(res: ServerResponse, data: unknown, event?: string): void {
  res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}
