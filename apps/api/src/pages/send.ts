import type { FastifyReply } from 'fastify';
import type { Html } from './html';
import { PAGE_HEADERS } from './layout';

/** Sends a page with PAGE_HEADERS (and any others, a Set-Cookie). */
export function sendPage(reply: FastifyReply, status: number, page: Html, headers: Record<string, string> = {}): FastifyReply {
  return reply
    .status(status)
    .headers({ ...PAGE_HEADERS, ...headers })
    .send(page.text);
}
