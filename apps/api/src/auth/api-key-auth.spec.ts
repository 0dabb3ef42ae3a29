import type { AuthenticateApiKey, Authenticated, GetApiKeyRevision, RecordApiKeyUse } from '@tollgate/billing';
import { loadConfig } from '@tollgate/config';
import type { ApiError } from '../common/api-error';
import { ApiKeyAuth } from './api-key-auth';

// ApiKeyAuth's in-process logic, with the use cases it calls replaced by counting stand-ins (what they do
// against Postgres is covered by apps/api/test/api-keys.test.ts).

function setup(perMinute = 5) {
  const reads: string[] = [];
  const state = { revision: 1, good: new Map<string, Authenticated>() };
  const authenticate = {
    async execute({ key }: { key: string }) {
      reads.push(key);
      return state.good.get(key) ?? null;
    },
  } as unknown as AuthenticateApiKey;
  const revision = { execute: async () => state.revision } as unknown as GetApiKeyRevision;
  const recordUse = { execute: async () => undefined } as unknown as RecordApiKeyUse;
  const auth = new ApiKeyAuth(authenticate, revision, recordUse, loadConfig({ AUTH_FAILURES_PER_MINUTE: String(perMinute) }));
  const good = (key: string, keyId = key) =>
    state.good.set(key, {
      principal: { keyId, organizationId: 'org', scope: 'ingest', customerId: null, isOperator: false },
      validUntil: null,
    });
  return { auth, reads, state, good };
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: ApiError) => `${e.status} ${e.code}`,
  );

describe('ApiKeyAuth', () => {
  // The clock stands still (only Date is faked): a cached key's second never runs out while a test loops.
  beforeEach(() =>
    jest.useFakeTimers({
      now: 1_000_000,
      doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'],
    }),
  );
  afterEach(() => jest.useRealTimers());

  it('reads a good key once, then answers it from the cache', async () => {
    const { auth, reads, good } = setup();
    good('k1');
    await auth.checkRevocations();
    for (let i = 0; i < 5; i++) expect((await auth.principalOf('k1', '10.0.0.1')).keyId).toBe('k1');
    expect(reads).toEqual(['k1']);
  });

  it('reads a key once however many requests carry it at the same time', async () => {
    const { auth, reads, good } = setup();
    good('k1');
    await Promise.all(Array.from({ length: 20 }, () => auth.principalOf('k1', '10.0.0.1')));
    expect(reads).toEqual(['k1']);
  });

  it('never lets a flood of distinct bad keys push a good key out of the cache', async () => {
    const { auth, reads, good } = setup(1);
    good('k1');
    await auth.checkRevocations();
    await auth.principalOf('k1', '10.0.0.1');
    for (let i = 0; i < 20_000; i++) expect(await code(auth.principalOf(`bad-${i}`, `10.1.${i >> 8}.${i & 255}`))).toBe('401 unauthorized');
    reads.length = 0;
    await auth.principalOf('k1', '10.0.0.1');
    expect(reads).toEqual([]);
  });

  it('answers 429 without reading once an address has failed too often; other addresses and cached keys go on', async () => {
    const { auth, reads, good } = setup(3);
    good('k1');
    await auth.principalOf('k1', '10.0.0.9');
    for (let i = 0; i < 3; i++) expect(await code(auth.principalOf(`bad-${i}`, '10.0.0.9'))).toBe('401 unauthorized');
    const before = reads.length;
    for (let i = 0; i < 100; i++) expect(await code(auth.principalOf(`bad-x-${i}`, '10.0.0.9'))).toBe('429 rate_limited');
    expect(reads.length).toBe(before);
    expect((await auth.principalOf('k1', '10.0.0.9')).keyId).toBe('k1');
    expect(await code(auth.principalOf('bad-y', '10.0.0.10'))).toBe('401 unauthorized');
  });

  it('reads every key again once the revision moved (a key was revoked anywhere)', async () => {
    const { auth, reads, state, good } = setup();
    good('k1');
    await auth.checkRevocations();
    await auth.principalOf('k1', '10.0.0.1');
    state.good.delete('k1');
    state.revision = 2;
    await auth.checkRevocations();
    expect(await code(auth.principalOf('k1', '10.0.0.1'))).toBe('401 unauthorized');
    expect(reads).toEqual(['k1', 'k1']);
  });

  it('lets an outage through as it is (the api answers 503), and counts it as no failure', async () => {
    const { auth } = setup(1);
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    (auth as unknown as { authenticate: { execute(): Promise<never> } }).authenticate = { execute: () => Promise.reject(down) };
    for (let i = 0; i < 3; i++) await expect(auth.principalOf('k', '10.0.0.1')).rejects.toBe(down);
  });
});
