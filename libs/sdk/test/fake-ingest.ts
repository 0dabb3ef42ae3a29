import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer the double gives instead of storing: status, headers and JSON body. */
export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ReceivedRequest {
  at: number;
  authorization: string | undefined;
  events: Array<Record<string, unknown>>;
}

/**
 * Plays Tollgate's ingest API (API.md "Events") for the SDK's tests: dedup on transaction_id, per-event
 * results, scripted failures (503/429 with Retry-After, 4xx) ahead of normal service, and entitlements.
 */
export class FakeIngest {
  readonly stored = new Map<string, Record<string, unknown>>();
  readonly requests: ReceivedRequest[] = [];
  readonly entitlementRequests: string[] = [];
  /** Answers used, in order, before requests are served normally. */
  readonly script: ScriptedAnswer[] = [];
  /** Per-request decision, consulted after the script (e.g. 413 for big batches). */
  intercept: ((events: Array<Record<string, unknown>>) => ScriptedAnswer | undefined) | undefined;
  reject: ((event: Record<string, unknown>) => { code: string; message: string } | undefined) | undefined;
  /** Holds each events request this long before answering (a slow API: batches stay in flight). */
  delayMs = 0;
  entitlements = new Map<string, { allowed: boolean; reason?: string }>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Every transaction id sent, in order, across all attempts. */
  sentIds(): string[] {
    return this.requests.flatMap((r) => r.events.map((e) => e.transaction_id as string));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const entitlement = /^\/v1\/customers\/([^/]+)\/entitlement$/.exec(req.url ?? '');
    if (req.method === 'GET' && entitlement) {
      const customer = decodeURIComponent(entitlement[1]);
      this.entitlementRequests.push(customer);
      const answer = this.entitlements.get(customer);
      return send(res, answer ? 200 : 404, answer ?? { error: { code: 'not_found', message: 'no such customer' } });
    }
    if (req.method !== 'POST' || req.url !== '/v1/events') return send(res, 404, { error: { code: 'not_found', message: '' } });
    const events = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: Array<Record<string, unknown>> }).events;
    this.requests.push({ at: Date.now(), authorization: req.headers.authorization, events });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const scripted = this.script.shift() ?? this.intercept?.(events);
    if (scripted) return send(res, scripted.status, scripted.body ?? {}, scripted.headers);
    const results = events.map((event) => {
      const id = event.transaction_id as string;
      const error = this.reject?.(event);
      if (error) return { transaction_id: id, status: 'rejected', error };
      if (this.stored.has(id)) return { transaction_id: id, status: 'duplicate' };
      this.stored.set(id, event);
      return { transaction_id: id, status: 'accepted' };
    });
    send(res, 200, { results });
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
