import net from 'node:net';
import { errorOf } from '@tollgate/testing';
import { startTestApi, type EventListBody, type IngestBody, type TestApi } from '@tollgate/testing/api-harness';

// Ingest under overload (docs/design.md, "Ingest under overload"): the api holds at most INGEST_MAX_IN_FLIGHT_MB of
// POST /v1/events bodies; a batch past it is answered 503 with Retry-After before its body is read, nothing stored.
// Here 1 MB, and a batch held open by a client that has sent only half of its 600 KB body.

let api: TestApi;
const run = `overload-${Date.now()}`;

beforeAll(async () => {
  api = await startTestApi({ INGEST_MAX_IN_FLIGHT_MB: '1' });
});

afterAll(async () => {
  await api.close();
});

/** A batch of `n` events whose JSON is about `n` × 600 bytes (padded by a metadata value). */
function batch(prefix: string, n: number): string {
  const events = Array.from({ length: n }, (_, i) => ({
    transaction_id: `${run}-${prefix}-${i}`,
    external_customer_id: `${run}-${prefix}`,
    provider: 'openai',
    model: 'gpt-4o',
    usage: { input_tokens: 100 + i, output_tokens: 10 },
    metadata: { note: 'x'.repeat(450) },
  }));
  return JSON.stringify({ events });
}

/** Sends a request's headers and the first half of its body on a raw connection, then waits; `finish` sends the rest. */
function halfSent(body: string): { finish(): Promise<string>; abort(): void } {
  const { port } = new URL(api.baseUrl);
  const socket = net.connect(Number(port), '127.0.0.1');
  let reply = '';
  socket.on('data', (d: Buffer) => (reply += d.toString()));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(
    `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${api.ingestKey}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, body.length / 2)}`,
  );
  return {
    async finish() {
      socket.write(body.slice(body.length / 2));
      await ended;
      return reply;
    },
    abort: () => socket.destroy(),
  };
}

const post = (body: string) =>
  fetch(api.baseUrl + '/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${api.ingestKey}`, 'content-type': 'application/json' },
    body,
  });

async function stored(prefix: string): Promise<number> {
  const list = await api.request<EventListBody>('GET', `/v1/events?external_customer_id=${run}-${prefix}&limit=1000`);
  return list.body.data.length;
}

/** Until the api has the half-sent request: a batch that fits answers 200 only once that one is counted. */
const settle = () => new Promise((r) => setTimeout(r, 300));

it('answers 503 with Retry-After to a batch past the limit, stores nothing of it, and takes it once the held batch is answered', async () => {
  const first = batch('first', 1000);
  expect(Buffer.byteLength(first)).toBeGreaterThan(550_000);
  const held = halfSent(first);
  await settle();

  const second = batch('second', 1000);
  const refused = await post(second);
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toMatch(/^[1-5]$/);
  expect(refused.headers.get('connection')).toBe('close'); // its body is not read to be thrown away
  expect(errorOf(await refused.json())).toEqual({ code: 'unavailable', message: expect.stringContaining('INGEST_MAX_IN_FLIGHT_MB') });
  expect(await stored('second')).toBe(0);

  // A small batch still fits beside the held one.
  const small = await post(batch('small', 2));
  expect(small.status).toBe(200);
  expect(((await small.json()) as IngestBody).results.map((r) => r.status)).toEqual(['accepted', 'accepted']);

  const reply = await held.finish();
  expect(reply).toMatch(/^HTTP\/1\.1 200 /);
  expect(await stored('first')).toBe(1000);

  // The held batch was let go with its response: the same batch sent again is taken whole.
  const again = await post(second);
  expect(again.status).toBe(200);
  expect(((await again.json()) as IngestBody).results.every((r) => r.status === 'accepted')).toBe(true);
  expect(await stored('second')).toBe(1000);
});

it('lets a batch go when its client disconnects before sending all of it', async () => {
  const held = halfSent(batch('gone', 1000));
  await settle();
  expect((await post(batch('after-gone', 1000))).status).toBe(503);
  held.abort();
  await settle();
  const res = await post(batch('after-gone', 1000));
  expect(res.status).toBe(200);
  expect(await stored('gone')).toBe(0);
  expect(await stored('after-gone')).toBe(1000);
});

it('counts what it shed on /metrics', async () => {
  const res = await fetch(api.baseUrl + '/metrics');
  expect(await res.text()).toMatch(/^tollgate_ingest_shed_total [2-9]/m);
});
