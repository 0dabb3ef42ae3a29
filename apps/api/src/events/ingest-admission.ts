import type { FastifyInstance } from 'fastify';
import { errorBody } from '../common/api-error';
import { MAX_BODY_BYTES } from '../common/json-body';

/**
 * Bounds the POST /v1/events bodies the api holds at once (docs/design.md, "Ingest under overload"). A batch is
 * counted from its request line, by its Content-Length (a body without one as the largest allowed), until its
 * response is sent or its connection closes. One that would take the total past `maxBytes` is answered 503
 * `unavailable` with Retry-After before its body is read: nothing was stored, and the SDK sends it again then. The
 * wait is 1 to 5 seconds at random, so that the batches shed in one burst do not all come back in the same second.
 * A batch arriving while nothing else is held is always taken, so no body is too large to ever get in. Without
 * this, an api that cannot keep up holds every request sent to it, and its memory grows with the backlog.
 */
export function registerIngestAdmission(fastify: FastifyInstance, maxBytes: number, onShed: () => void): void {
  let held = 0;
  const message =
    `the api is holding ${Math.round(maxBytes / 1024 / 1024)} MB of event batches (INGEST_MAX_IN_FLIGHT_MB), as many as it takes at once; ` +
    'nothing was stored: send the batch again after Retry-After';
  fastify.addHook('onRequest', (req, reply, done) => {
    if (req.method !== 'POST' || req.url.split('?', 1)[0] !== '/v1/events') return done();
    const length = Number(req.headers['content-length']);
    const bytes = Number.isSafeInteger(length) && length >= 0 ? Math.min(length, MAX_BODY_BYTES) : MAX_BODY_BYTES;
    if (held > 0 && held + bytes > maxBytes) {
      onShed();
      reply
        .code(503)
        .header('retry-after', String(1 + Math.floor(Math.random() * 5)))
        .header('connection', 'close') // so that its body is not read only to be thrown away (keep-alive drains it)
        .type('application/json; charset=utf-8')
        .send(errorBody('unavailable', message));
      return;
    }
    held += bytes;
    reply.raw.once('close', () => (held -= bytes)); // sent, or the client went away: either way the body is let go
    done();
  });
}
