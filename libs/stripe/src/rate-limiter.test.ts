import { randomBytes } from 'node:crypto';
import { TEST_REDIS_URL } from '@tollgate/testing';
import { RedisStripeRateLimiter } from './rate-limiter';

// The request bucket on the real Redis, shared by several limiters as by several workers: together they never
// go faster than the account's rate (nor an operation faster than its own), and a 429's pause stops them all.
// Lower bounds only: pacing can be slower on a busy machine, never faster.

const limiters: RedisStripeRateLimiter[] = [];
const key = () => `{tollgate-rate-test-${randomBytes(4).toString('hex')}}:stripe:rate`;

function limiter(k: string, perSecond: number, perOperationPerSecond = 0) {
  const l = new RedisStripeRateLimiter(TEST_REDIS_URL, k, { perSecond, perOperationPerSecond });
  limiters.push(l);
  return l;
}

afterAll(() => {
  for (const l of limiters) l.onModuleDestroy();
});

async function elapsed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

describe('the Redis request bucket', () => {
  it('paces every process sharing it to the account rate: 40 calls from 4 limiters at 20/s take at least 1.8 s', async () => {
    const k = key();
    const four = [1, 2, 3, 4].map(() => limiter(k, 20));
    // A burst of 2 (a tenth of a second's calls) goes at once; the other 38 come 50 ms apart.
    const ms = await elapsed(() => Promise.all(four.flatMap((l) => Array.from({ length: 10 }, () => l.take('invoices.create')))));
    expect(ms).toBeGreaterThanOrEqual(1800);
  });

  it('paces each operation to its own rate under the account rate', async () => {
    const l = limiter(key(), 1000, 5);
    const ms = await elapsed(() => Promise.all(Array.from({ length: 6 }, () => l.take('invoices.finalize'))));
    expect(ms).toBeGreaterThanOrEqual(950);
  });

  it("holds every caller during a 429's pause", async () => {
    const k = key();
    const a = limiter(k, 1000);
    const b = limiter(k, 1000);
    await a.pause(700);
    const ms = await elapsed(() => b.take('customers.create'));
    expect(ms).toBeGreaterThanOrEqual(600);
  });
});
