import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';

export interface WebhookResponse {
  /** The receiver's HTTP status; null when there was no answer (refused, reset, timed out). */
  statusCode: number | null;
  /** Why the attempt failed, when it did. */
  error: string | null;
  durationMs: number;
}

/** How much of a receiver's answer is read (and dropped) so the connection can be reused. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs one signed delivery. The deadline covers connecting, sending and the answer, so a slow receiver fails
 * its own attempt and holds one of the worker's WEBHOOK_CONCURRENCY slots at most that long. Redirects are not
 * followed: the body was signed for this endpoint.
 */
@Injectable()
export class WebhookSender {
  async post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<WebhookResponse> {
    const started = performance.now();
    const durationMs = () => Math.round(performance.now() - started);
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal });
      await drain(res);
      const ok = res.status >= 200 && res.status < 300;
      const error = ok ? null : res.status >= 300 && res.status < 400 ? `HTTP ${res.status}: redirects are not followed` : `HTTP ${res.status}`;
      return { statusCode: res.status, error, durationMs: durationMs() };
    } catch (err) {
      if (signal.aborted) return { statusCode: null, error: `timed out after ${timeoutMs / 1000} s`, durationMs: durationMs() };
      return { statusCode: null, error: describe(err), durationMs: durationMs() };
    }
  }
}

async function drain(res: Response): Promise<void> {
  if (res.body === null) return;
  const reader = res.body.getReader();
  let read = 0;
  while (read < MAX_RESPONSE_BYTES) {
    const chunk = await reader.read();
    if (chunk.done) return;
    read += chunk.value.byteLength;
  }
  await reader.cancel();
}

/** fetch's "fetch failed" with the reason it hides in `cause` (ECONNREFUSED, a TLS error, …). */
function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause;
  if (cause?.code || cause?.message) return [cause.code, cause.message].filter(Boolean).join(': ');
  return e?.message ?? String(err);
}
