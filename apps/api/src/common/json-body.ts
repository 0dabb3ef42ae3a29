import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error';

export const MAX_BODY_BYTES = 2 * 1024 * 1024;
const MAX_DEPTH = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** application/json or application/<something>+json, with nothing after but parameters. */
const JSON_CONTENT_TYPE = /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json[ \t]*(?:;.*)?$/i;
const CHARSET = /;[ \t]*charset[ \t]*=[ \t]*"?([^";]*)"?/i;

/**
 * Nesting depth of a JSON text, counted on the raw text (strings skipped) so a deep body never reaches JSON.parse's
 * recursion. Strings are skipped with indexOf (native), not a character at a time: most of an event batch is
 * strings, and the character loop cost more than JSON.parse itself (docs/performance.md).
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // to the closing quote: the next one not escaped (preceded by an even number of backslashes)
      for (;;) {
        const q = text.indexOf('"', i + 1);
        if (q === -1) return false; // unterminated: JSON.parse refuses it
        let b = q - 1;
        while (text.charCodeAt(b) === 92 /* \ */) b--;
        i = q;
        if ((q - 1 - b) % 2 === 0) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** The body as JSON; an empty body is no body (the route's schema says whether it needs one). */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new ApiError(400, 'invalid_json', 'the body is not valid UTF-8');
  }
  if (jsonDepthExceeds(text, MAX_DEPTH)) {
    throw new ApiError(400, 'invalid_json', `JSON nesting is deeper than ${MAX_DEPTH}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'invalid_json', `the body is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Routes whose handler gets the body's bytes as received, not parsed (validate.ts' RawJsonBody): a signature
 * covers them (Stripe's webhooks), and JSON.parse then JSON.stringify would not give them back.
 */
export const RAW_BODY_PATHS: ReadonlySet<string> = new Set(['/v1/webhooks/stripe']);

/**
 * JSON bodies only (any other type is 415), up to 2 MiB, UTF-8, depth-checked; errors in the API's shape. The
 * RAW_BODY_PATHS get the bytes instead.
 */
export function registerJsonBody(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(JSON_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (req, body, done) => {
    const charset = CHARSET.exec(req.headers['content-type'] ?? '')?.[1]
      ?.trim()
      .toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new ApiError(415, 'unsupported_media_type', `the body must be UTF-8 JSON, not charset=${charset}`), undefined);
      return;
    }
    if (RAW_BODY_PATHS.has(req.url.split('?', 1)[0])) {
      done(null, body);
      return;
    }
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
