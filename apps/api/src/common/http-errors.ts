import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './api-error';

// Errors Fastify and Node answer before a request reaches Nest (and its ErrorFilter), in the API's shape.

/** Requests Node's HTTP parser refuses: headers over 16 KiB (431), too slow (408), not HTTP (400). */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
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

/** Fastify's own routing errors: a path whose percent-encoding is not UTF-8 (FST_ERR_BAD_URL). */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const badUrl = err.code === 'FST_ERR_BAD_URL';
  const status = badUrl ? 400 : (err.statusCode ?? 400);
  reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(
      errorBody(
        status >= 500 ? 'internal' : 'invalid_request',
        badUrl ? 'the path is not valid: a percent-encoded part is not UTF-8' : 'the request could not be routed',
      ),
    );
}
