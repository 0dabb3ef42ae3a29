import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';

export interface WebhookResponse {
  /** The receiver's HTTP status; null when there was no answer (refused, reset, timed out). */
  statusCode: number | null;
  /** Why the attempt failed, when it did. */
  error: string | null;
  durationMs: number;
}

/** How much of a receiver's answer is read (and dropped) before the connection is let go. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs one signed delivery with node:http(s) (not fetch, which refuses some ports an operator's receiver may
 * use). The deadline covers connecting, sending and the whole answer, so a slow receiver fails its own attempt
 * and holds one of the worker's WEBHOOK_CONCURRENCY slots at most that long. Redirects are not followed: the
 * body was signed for this endpoint.
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly http = new HttpAgent({ keepAlive: true });
  private readonly https = new HttpsAgent({ keepAlive: true });

  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<WebhookResponse> {
    const started = performance.now();
    const finish = (statusCode: number | null, error: string | null): WebhookResponse => ({
      statusCode,
      error,
      durationMs: Math.round(performance.now() - started),
    });
    return new Promise((resolve) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const signal = AbortSignal.timeout(timeoutMs);
      const req = (secure ? httpsRequest : httpRequest)(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
          agent: secure ? this.https : this.http,
          signal,
        },
        (res: IncomingMessage) => {
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_RESPONSE_BYTES) res.destroy();
          });
          const done = () => {
            const status = res.statusCode ?? 0;
            const ok = status >= 200 && status < 300;
            resolve(
              finish(status, ok ? null : status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`),
            );
          };
          res.on('end', done);
          // The status is known: an answer cut short (or too long to read) does not change it, unless it timed out.
          res.on('close', () => (signal.aborted ? resolve(finish(null, timedOut(timeoutMs))) : done()));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        resolve(finish(null, signal.aborted ? timedOut(timeoutMs) : [err.code, err.message].filter(Boolean).join(': '))),
      );
      req.end(body);
    });
  }

  onApplicationShutdown() {
    this.http.destroy();
    this.https.destroy();
  }
}

const timedOut = (timeoutMs: number) => `timed out after ${timeoutMs / 1000} s`;
