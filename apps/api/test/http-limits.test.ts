import net from 'node:net';
import { startTestApi, type TestApi } from '@tollgate/testing/api-harness';

// The HTTP server's timeouts (docs/design.md, "HTTP server limits"), tiny here: a client that sends its request
// too slowly is answered 408 in the API's error shape and cut off; an idle keep-alive connection is closed.

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ HTTP_REQUEST_TIMEOUT_SECONDS: '1', HTTP_HEADERS_TIMEOUT_SECONDS: '1', HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '1' });
});

afterAll(async () => {
  await api.close();
});

/** Writes `sent` on a raw connection and collects what comes back until the server closes it. */
function rawExchange(sent: string): Promise<{ reply: string; closedByServer: boolean }> {
  const { port } = new URL(api.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let reply = '';
    // Far past the configured second: the server must have acted long before.
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ reply, closedByServer: false });
    }, 15_000);
    socket.on('data', (d: Buffer) => (reply += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ reply, closedByServer: true });
    });
    socket.write(sent);
  });
}

const errorOf = (reply: string) => JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4));

describe('a slow client', () => {
  it('sending half a body is answered 408 in the error shape and cut off', async () => {
    const body = JSON.stringify({
      events: [{ transaction_id: 'slow', external_customer_id: 'c', provider: 'openai', model: 'gpt-4o', usage: { input_tokens: 1 } }],
    });
    const { reply, closedByServer } = await rawExchange(
      `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${api.ingestKey}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\n\r\n${body.slice(0, body.length / 2)}`,
    );
    expect(closedByServer).toBe(true);
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(errorOf(reply)).toEqual({ error: { code: 'request_timeout', message: expect.any(String) } });
  });

  it('sending half its headers is cut off the same way', async () => {
    const { reply, closedByServer } = await rawExchange('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(closedByServer).toBe(true);
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(errorOf(reply).error.code).toBe('request_timeout');
  });
});

describe('an idle keep-alive connection', () => {
  it('is closed by the server after HTTP_KEEP_ALIVE_TIMEOUT_SECONDS', async () => {
    const { reply, closedByServer } = await rawExchange('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    expect(closedByServer).toBe(true);
  });
});
