import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { DEFAULT_PLAN_DEFINITION } from '@tollgate/db';
import {
  createTestDatabase,
  DatabaseProbe,
  databaseUrl,
  dropDatabase,
  errorOf,
  TcpProxy,
  uniqueName,
  waitFor,
  withAdminClient,
} from '@tollgate/testing';
import {
  startTestApi,
  TEST_ADMIN_KEY,
  type ApiKeyListBody,
  type CreatedApiKeyBody,
  type CreatedOrganizationBody,
  type RevokedApiKeyBody,
  type RotatedApiKeyBody,
  type TestApi,
} from '@tollgate/testing/api-harness';

// API keys (docs/api.md, "Keys"): listed without their secret, revoked on every api instance within a second,
// rotated with a grace period (the operator's too), stored as a keyed hash; failed authentications limited.

const KEY_FORMAT = /^tg_(ingest|admin)_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let api: TestApi;
let probe: DatabaseProbe;

const newKey = async (scope: 'ingest' | 'admin', name = `${scope} key`, on: TestApi = api, key?: string) => {
  const res = await on.request<CreatedApiKeyBody>('POST', '/v1/api_keys', { scope, name }, key);
  expect(res.status).toBe(201);
  return res.body;
};
/** An admin-scoped request that reads nothing else: whether the key authenticates. */
const statusWith = async (key: string, on: TestApi = api) => (await on.request('GET', '/v1/api_keys?limit=1', undefined, key)).status;
const listed = async (key?: string) => {
  const out: ApiKeyListBody['data'] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: ApiKeyListBody } = await api.request<ApiKeyListBody>(
      'GET',
      `/v1/api_keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      undefined,
      key,
    );
    expect(res.status).toBe(200);
    out.push(...res.body.data);
    cursor = res.body.next_cursor;
  } while (cursor);
  return out;
};

beforeAll(async () => {
  api = await startTestApi();
  probe = new DatabaseProbe(api.databaseUrl);
});

afterAll(async () => {
  await probe.close();
  await api.close();
});

describe('GET /v1/api_keys', () => {
  it("lists the organisation's keys with prefix, name, scope and dates, never a key", async () => {
    const created = await newKey('ingest', 'agents');
    expect(created.key).toMatch(KEY_FORMAT);
    const keys = await listed();
    const item = keys.find((k) => k.id === created.id)!;
    expect(item).toEqual({
      id: created.id,
      name: 'agents',
      scope: 'ingest',
      prefix: expect.stringMatching(/^tg_ingest_[0-9a-f]{12}$/),
      created_at: expect.any(String),
      last_used_at: null,
      expires_at: null,
    });
    // The prefix is the start of the key, up to its secret part.
    expect(created.key.startsWith(item.prefix + '_')).toBe(true);
    expect(keys.map((k) => k.scope)).toEqual(expect.arrayContaining(['admin', 'ingest']));
    for (const k of keys) expect(JSON.stringify(k)).not.toMatch(/tg_\w+_[0-9a-f]{12}_/);
  });

  it("shows another organisation's keys to nobody", async () => {
    const other = await api.request<CreatedOrganizationBody>('POST', '/v1/organizations', { name: 'other' });
    expect(other.status).toBe(201);
    const mine = (await listed()).map((k) => k.id);
    const theirs = (await listed(other.body.admin_key)).map((k) => k.id);
    expect(theirs).toHaveLength(1);
    expect(mine).not.toContain(theirs[0]);
    expect((await api.request('DELETE', `/v1/api_keys/${theirs[0]}`)).status).toBe(404);
    expect((await api.request('POST', `/v1/api_keys/${theirs[0]}/rotate`)).status).toBe(404);
    expect(errorOf((await api.request('DELETE', '/v1/api_keys/not-a-key-id')).body).code).toBe('not_found');
  });

  it('notes when a key was last used, off the request path', async () => {
    const k = await newKey('ingest');
    const res = await api.request('GET', '/v1/customers/nobody/entitlement', undefined, k.key);
    expect(res.status).toBeLessThan(500);
    await waitFor(async () => (await listed()).find((x) => x.id === k.id)?.last_used_at != null, 10_000, 'last_used_at');
  });

  it('refuses a cursor it did not make and a limit out of range', async () => {
    expect(errorOf((await api.request('GET', '/v1/api_keys?cursor=bm9wZQ')).body).code).toBe('invalid_request');
    expect((await api.request('GET', '/v1/api_keys?limit=0')).status).toBe(400);
    expect((await api.request('GET', '/v1/api_keys?limit=1001')).status).toBe(400);
  });
});

describe('stored keys', () => {
  it('are a keyed hash (HMAC under TOLLGATE_SECRET) and a public id: no key material, no plain SHA-256', async () => {
    const k = await newKey('admin', 'stored');
    const [row] = await probe.rows<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [k.id]);
    const secretPart = k.key.slice(k.key.lastIndexOf('_') + 1);
    for (const value of Object.values(row)) {
      const text = value instanceof Date ? value.toISOString() : String(value);
      expect(text).not.toContain(secretPart.slice(0, 6));
      expect(text).not.toBe(createHash('sha256').update(k.key).digest('hex'));
    }
    expect(row.public_id).toBe(KEY_FORMAT.exec(k.key)![2]);
    expect(row.key_hash_scheme).toBe('hmac-sha256');
    expect(Object.keys(row)).not.toContain('key_prefix');
  });
});

describe('DELETE /v1/api_keys/{id}', () => {
  let second: TestApi;

  beforeAll(async () => {
    // Another api instance on the same database: revocations must reach it too.
    second = await startTestApi({ DATABASE_URL: api.databaseUrl });
  });
  afterAll(async () => {
    await second.close();
  });

  it('revokes a key on every api instance within a second', async () => {
    const k = await newKey('ingest');
    const body = {
      events: [
        {
          transaction_id: `rev-${Date.now()}`,
          external_customer_id: 'rev',
          provider: 'openai',
          model: 'gpt-4o',
          usage: { input_tokens: 1 },
        },
      ],
    };
    // Both instances hold the key in their caches.
    for (let i = 0; i < 3; i++) {
      expect((await api.request('POST', '/v1/events', body, k.key)).status).toBe(200);
      expect((await second.request('POST', '/v1/events', body, k.key)).status).toBe(200);
    }
    const revoked = await api.request<RevokedApiKeyBody>('DELETE', `/v1/api_keys/${k.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ id: k.id, revoked_at: expect.any(String) });
    const revokedAt = Date.now();
    // At once on the instance that revoked it.
    const here = await api.request('POST', '/v1/events', body, k.key);
    expect(here.status).toBe(401);
    expect(errorOf(here.body).code).toBe('unauthorized');
    // A second later on the other one, whatever its cache held.
    await sleep(Math.max(0, revokedAt + 1000 - Date.now()));
    expect((await second.request('POST', '/v1/events', body, k.key)).status).toBe(401);
    expect((await listed()).map((x) => x.id)).not.toContain(k.id);
    // Revoking it again answers the same.
    expect((await api.request('DELETE', `/v1/api_keys/${k.id}`)).body).toEqual(revoked.body);
  });

  it("never leaves the organisation without an admin key, nor the instance without an operator's key", async () => {
    const org = await api.request<CreatedOrganizationBody>('POST', '/v1/organizations', { name: 'lonely' });
    const [only] = await listed(org.body.admin_key);
    const last = await api.request('DELETE', `/v1/api_keys/${only.id}`, undefined, org.body.admin_key);
    expect(last.status).toBe(409);
    expect(errorOf(last.body).code).toBe('last_admin_key');
    const operatorKey = (await listed()).find((k) => k.name === 'TOLLGATE_ADMIN_KEY')!;
    const admin = await newKey('admin');
    // Another admin key of the operator's organisation may not touch the operator's key.
    const notOperator = await api.request('DELETE', `/v1/api_keys/${operatorKey.id}`, undefined, admin.key);
    expect(notOperator.status).toBe(403);
    expect((await api.request('POST', `/v1/api_keys/${operatorKey.id}/rotate`, undefined, admin.key)).status).toBe(403);
    const lastOperator = await api.request('DELETE', `/v1/api_keys/${operatorKey.id}`);
    expect(lastOperator.status).toBe(409);
    expect(errorOf(lastOperator.body).code).toBe('last_operator_key');
    expect(await statusWith(TEST_ADMIN_KEY)).toBe(200);
  });
});

describe('POST /v1/api_keys/{id}/rotate', () => {
  it('gives a new key; the old one works until previous_valid_until (24 h by default), then not', async () => {
    const old = await newKey('ingest', 'rotating');
    const before = Date.now();
    const res = await api.request<RotatedApiKeyBody>('POST', `/v1/api_keys/${old.id}/rotate`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(String),
      key: expect.stringMatching(KEY_FORMAT),
      scope: 'ingest',
      previous_valid_until: expect.any(String),
    });
    expect(res.body.id).not.toBe(old.id);
    const validUntil = Date.parse(res.body.previous_valid_until);
    expect(validUntil - before).toBeGreaterThanOrEqual(86_400_000 - 1000);
    expect(validUntil - before).toBeLessThanOrEqual(86_400_000 + 60_000);
    const entitlement = (key: string) => api.request('GET', '/v1/customers/nobody/entitlement', undefined, key);
    expect((await entitlement(res.body.key)).status).not.toBe(401);
    expect((await entitlement(old.key)).status).not.toBe(401);
    const keys = await listed();
    expect(keys.find((k) => k.id === res.body.id)).toMatchObject({ name: 'rotating', scope: 'ingest', expires_at: null });
    expect(keys.find((k) => k.id === old.id)).toMatchObject({ expires_at: res.body.previous_valid_until });
    // Rotated once: its successor is what rotates next.
    const again = await api.request('POST', `/v1/api_keys/${old.id}/rotate`);
    expect(again.status).toBe(409);
    expect(errorOf(again.body).code).toBe('key_rotated');
    // The grace period ends (as if a day had passed): the old key stops working on every instance.
    await probe.rows(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [old.id]);
    await sleep(1000);
    expect((await entitlement(old.key)).status).toBe(401);
    expect((await entitlement(res.body.key)).status).not.toBe(401);
  });

  it("rotates the operator's key, and TOLLGATE_ADMIN_KEY never brings a rotated key back", async () => {
    const db = await createTestDatabase();
    const first = await startTestApi({ DATABASE_URL: db.url, API_KEY_ROTATION_GRACE_SECONDS: '0' });
    try {
      const [operatorKey] = (await first.request<ApiKeyListBody>('GET', '/v1/api_keys')).body.data.filter(
        (k) => k.name === 'TOLLGATE_ADMIN_KEY',
      );
      const rotated = await first.request<RotatedApiKeyBody>('POST', `/v1/api_keys/${operatorKey.id}/rotate`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.previous_valid_until).toEqual(expect.any(String));
      // A grace of 0: the old key is done at once; the new one is the operator's.
      expect(await statusWith(TEST_ADMIN_KEY, first)).toBe(401);
      expect((await first.request('POST', '/v1/organizations', { name: 'by the new operator key' }, rotated.body.key)).status).toBe(201);
      await first.close();

      // The api starts again with the same TOLLGATE_ADMIN_KEY: the database is not empty, the old key stays dead.
      const again = await startTestApi({ DATABASE_URL: db.url }, { adminKey: rotated.body.key });
      try {
        expect(await statusWith(TEST_ADMIN_KEY, again)).toBe(401);
        expect(await statusWith(rotated.body.key, again)).toBe(200);
      } finally {
        await again.close();
      }
    } finally {
      await first.close().catch(() => undefined);
      await db.drop();
    }
  });
});

describe('failed authentications', () => {
  it('are limited per client address: 429 with Retry-After, and no Postgres read past the limit', async () => {
    const db = await createTestDatabase();
    const proxy = new TcpProxy('127.0.0.1', 5432);
    const url = new URL(db.url);
    url.port = String(await proxy.start());
    const limited = await startTestApi({ DATABASE_URL: url.toString(), AUTH_FAILURES_PER_MINUTE: '5', TRUST_PROXY: 'true' });
    try {
      const bad = (i: number, from = '203.0.113.7') =>
        fetch(`${limited.baseUrl}/v1/api_keys`, {
          headers: { authorization: `Bearer tg_admin_nope_${i}_0123456789`, 'x-forwarded-for': from },
        });
      for (let i = 0; i < 5; i++) expect((await bad(i)).status).toBe(401);
      const refused = await bad(5);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(errorOf(await refused.json()).code).toBe('rate_limited');
      // A good key the api holds still gets in from that address: the limit is on failures.
      const good = await fetch(`${limited.baseUrl}/v1/api_keys?limit=1`, {
        headers: { authorization: `Bearer ${limited.adminKey}`, 'x-forwarded-for': '203.0.113.7' },
      });
      expect(good.status).toBe(200);
      // With Postgres gone, the address's bad keys are still answered 429, not 503: nothing reads them.
      await proxy.cut();
      for (let i = 6; i < 50; i++) expect((await bad(i)).status).toBe(429);
      // Another address is not held back by this one (its key is read, and Postgres is away: 503).
      expect((await bad(99, '198.51.100.1')).status).toBe(503);
    } finally {
      await limited.close();
      await proxy.close();
      await db.drop();
    }
  });
});

describe('keys stored before keyed hashes', () => {
  it('keep working across the migration, and are rehashed under TOLLGATE_SECRET at the api start', async () => {
    const name = uniqueName('tollgate_test_legacy_keys');
    await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"`));
    const legacyKey = 'tg_admin_legacyKeyFromBefore0123456789abcdef';
    const legacyHash = createHash('sha256').update(legacyKey).digest('hex');
    const dir = path.resolve(__dirname, '../../../prisma/migrations');
    const client = new Client({ connectionString: databaseUrl(name) });
    await client.connect();
    try {
      for (const migration of readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()) {
        if (migration.endsWith('_api_key_lifecycle')) {
          // The database as the version before left it: an organisation and its admin key as a plain SHA-256.
          await client.query(
            `INSERT INTO organizations (id, name, is_default) VALUES ('00000000-0000-4000-8000-000000000001', 'old', true)`,
          );
          await client.query(
            `INSERT INTO plans (id, organization_id, code, version, definition, effective_from) VALUES (gen_random_uuid(), '00000000-0000-4000-8000-000000000001', 'default', 1, $1, 'epoch')`,
            [DEFAULT_PLAN_DEFINITION],
          );
          await client.query(
            `INSERT INTO api_keys (id, organization_id, name, scope, key_hash, key_prefix, is_operator) VALUES (gen_random_uuid(), '00000000-0000-4000-8000-000000000001', 'old key', 'admin', $1, $2, true)`,
            [legacyHash, legacyKey.slice(0, 12)],
          );
        }
        await client.query(readFileSync(path.join(dir, migration, 'migration.sql'), 'utf8'));
      }
      const [migrated] = (await client.query('SELECT key_hash, key_hash_scheme, public_id FROM api_keys')).rows;
      expect(migrated).toEqual({ key_hash: legacyHash, key_hash_scheme: 'sha256', public_id: expect.stringMatching(/^[0-9a-f]{12}$/) });

      const upgraded = await startTestApi({ DATABASE_URL: databaseUrl(name) }, { adminKey: legacyKey });
      try {
        expect(await statusWith(legacyKey, upgraded)).toBe(200);
        const [row] = (await client.query('SELECT key_hash, key_hash_scheme FROM api_keys WHERE name = $1', ['old key'])).rows;
        expect(row.key_hash_scheme).toBe('hmac-sha256');
        expect(row.key_hash).not.toBe(legacyHash);
        expect((await upgraded.request('POST', '/v1/organizations', { name: 'still the operator' })).status).toBe(201);
      } finally {
        await upgraded.close();
      }
    } finally {
      await client.end();
      await dropDatabase(name);
    }
  });
});
