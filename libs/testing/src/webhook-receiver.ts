import { createServer, type IncomingHttpHeaders } from 'node:http';

/** A request the receiver got, recorded when its body arrived (before it is answered). */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
}

/** How one request is answered: a status, after `until` resolves if given (a slow or hanging receiver). */
export interface ReceiverAnswer {
  status: number;
  until?: Promise<unknown>;
}

export interface WebhookReceiver {
  /** The receiver's URL for a path of its own (one endpoint per path). */
  url(path: string): string;
  /** Every request so far, in arrival order. */
  readonly received: ReceivedWebhook[];
  receivedAt(path: string): ReceivedWebhook[];
  /** The next requests to `path` get these answers, in order; after them, 200. */
  answer(path: string, ...answers: (number | ReceiverAnswer)[]): void;
  close(): Promise<void>;
}

/**
 * A webhook receiver the tests own: a node:http server on a port the OS gives, recording each request's raw body
 * and headers and answering as told (a status, or a status once a promise resolves).
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const answers = new Map<string, ReceiverAnswer[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers.get(path)?.shift() ?? { status: 200 };
      void Promise.resolve(answer.until).then(() => {
        if (!res.destroyed) res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(`answered ${answer.status}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    receivedAt: (path) => received.filter((r) => r.path === path),
    answer(path, ...more) {
      answers.set(path, [...(answers.get(path) ?? []), ...more.map((a) => (typeof a === 'number' ? { status: a } : a))]);
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
