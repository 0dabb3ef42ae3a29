import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { TollgateConfig } from '@tollgate/config';
import { errorBody } from './api-error';

// The api's HTTP server limits (docs/design.md, "HTTP server limits"): a client that sends its request too
// slowly, or holds a connection open saying nothing, is cut off rather than held for ever.

/** Fastify's options for the timeouts (HTTP_*_TIMEOUT_SECONDS) and whose X-Forwarded-For to believe (TRUST_PROXY). */
export function httpServerOptions(config: TollgateConfig) {
  const t = config.http;
  return {
    // The whole request within requestMs, its headers within headersMs: else 408 and the connection is closed.
    requestTimeout: t.requestMs,
    http: {
      headersTimeout: t.headersMs,
      // How often Node looks for requests past those deadlines (its default, 30 s, would let one live 30 s more).
      connectionsCheckingInterval: Math.min(1000, t.headersMs / 2),
    },
    keepAliveTimeout: t.keepAliveMs,
    // No byte either way for this long, even mid-request: the connection is closed.
    connectionTimeout: t.idleMs,
    trustProxy: config.trustProxy,
    clientErrorHandler,
  };
}

/** What Node refuses before Fastify routes a request (too slow, headers too large, not HTTP), in the API's error shape. */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request_timeout', 'the request took too long to arrive']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'the request headers are larger than 16 KiB']
        : [400, 'invalid_request', 'the request is not valid HTTP/1.1'];
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
