import { EntitlementCache } from '@tollgate/billing';
import { DatabaseProbe } from '@tollgate/testing';
import { startTestApi, type EntitlementBody, type TestApi } from '@tollgate/testing/api-harness';
import { Client } from 'pg';

// The api's in-process entitlement cache (docs/design.md "The api's entitlement cache"): the check answered from
// memory, kept current by Postgres's notifications, emptied while it cannot hear them, and a change made through
// the api in the next answer.

let api: TestApi;
let probe: DatabaseProbe;
let quiet: Client;

const entitlement = async (id: string) => {
  const res = await api.request<EntitlementBody>('GET', `/v1/customers/${id}/entitlement`, undefined, api.ingestKey);
  expect(res.status).toBe(200);
  return res.body;
};

/** Rewrites a stored entitlement without firing the triggers: what only a read of Postgres would see. */
async function rewriteUnheard(id: string, ongoing: string) {
  await quiet.query(
    `UPDATE customer_entitlements SET ongoing_balance = $2::numeric
     WHERE customer_id = (SELECT id FROM customers WHERE external_id = $1)`,
    [id, ongoing],
  );
}

async function until(condition: () => boolean | Promise<boolean>, what: string) {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  api = await startTestApi();
  probe = new DatabaseProbe(api.databaseUrl);
  quiet = new Client({ connectionString: api.databaseUrl });
  await quiet.connect();
  await quiet.query(`SET session_replication_role = replica`);
  const plan = { code: 'pre', name: 'Prepaid', currency: 'USD', prepaid: true, charges: [{ name: 'all', models: ['*'], markup: '0' }] };
  expect((await api.request('POST', '/v1/plans', plan)).status).toBe(201);
  for (const id of ['held', 'granted', 'cut-off']) {
    expect((await api.request('POST', '/v1/customers', { external_id: id, plan_code: 'pre' })).status).toBe(201);
    expect((await api.request('POST', `/v1/customers/${id}/credits`, { amount: '2.00', kind: 'granted' })).status).toBe(201);
  }
  await until(() => api.app.get(EntitlementCache).isListening, 'the cache listens');
});

afterAll(async () => {
  await quiet?.end();
  await probe?.close();
  await api?.close();
});

describe('the entitlement cache', () => {
  it('answers from memory what it read, and reads again what a commit elsewhere changed', async () => {
    expect(await entitlement('held')).toMatchObject({ allowed: true, ongoing_balance: '2.00' });
    await rewriteUnheard('held', '1.50');
    // Not read again: nothing it heard named this customer.
    expect(await entitlement('held')).toMatchObject({ ongoing_balance: '2.00' });

    // The same change, heard: another connection's commit fires the trigger.
    await probe.rows(
      `UPDATE customer_entitlements SET ongoing_balance = 1.25 WHERE customer_id = (SELECT id FROM customers WHERE external_id = 'held')`,
    );
    await api.app.get(EntitlementCache).sync();
    expect(await entitlement('held')).toMatchObject({ allowed: true, ongoing_balance: '1.25' });

    const metrics = (await api.request('GET', '/metrics')).body as unknown as string;
    expect(metrics).toMatch(/tollgate_entitlement_checks_total\{answer="memory"\} [1-9]/);
    expect(metrics).toMatch(/tollgate_entitlement_checks_total\{answer="stored"\} [1-9]/);
  });

  it('has a change made through the api in the very next answer', async () => {
    expect(await entitlement('granted')).toMatchObject({ ongoing_balance: '2.00' });
    expect((await api.request('POST', '/v1/customers/granted/credits', { amount: '3.00', kind: 'granted' })).status).toBe(201);
    expect(await entitlement('granted')).toMatchObject({ allowed: true, ongoing_balance: '5.00' });
    expect((await api.request('PATCH', '/v1/customers/granted', { spend_cap: '0' })).status).toBe(200);
    expect(await entitlement('granted')).toMatchObject({ allowed: false, reason: 'spend_cap_reached', spend_cap: '0' });
  });

  it('holds nothing while its connection is lost, and hears changes again once it is back', async () => {
    const cache = api.app.get(EntitlementCache);
    expect(await entitlement('cut-off')).toMatchObject({ ongoing_balance: '2.00' });
    expect(cache.size).toBeGreaterThan(0);
    const [listener] = await probe.rows<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tollgate entitlement listener'`,
    );
    expect(listener).toBeDefined();
    await probe.rows('SELECT pg_terminate_backend($1)', [listener.pid]);
    await until(() => !cache.isListening, 'the cache knows it is deaf');
    expect(cache.size).toBe(0);

    // Deaf: every answer is read from Postgres, so a change it could not hear is in it.
    await rewriteUnheard('cut-off', '0.75');
    expect(await entitlement('cut-off')).toMatchObject({ ongoing_balance: '0.75' });

    await until(() => cache.isListening, 'the cache listens again');
    expect(await entitlement('cut-off')).toMatchObject({ ongoing_balance: '0.75' });
    expect(cache.size).toBeGreaterThan(0);
    await probe.rows(
      `UPDATE customer_entitlements SET ongoing_balance = 0.5 WHERE customer_id = (SELECT id FROM customers WHERE external_id = 'cut-off')`,
    );
    await cache.sync();
    expect(await entitlement('cut-off')).toMatchObject({ ongoing_balance: '0.50' });
  });

  it('does not keep what it read while a change to it was heard', async () => {
    const cache = api.app.get(EntitlementCache);
    const [row] = await probe.rows<{ id: string; org: string }>(
      `SELECT id::text, organization_id::text AS org FROM customers WHERE external_id = 'held'`,
    );
    const ticket = cache.ticket();
    cache.changed([row.id]);
    cache.keep(ticket, row.org, 'held', {
      customerId: row.id,
      view: { allowed: true, ongoing_balance: '9.99', period_usage: '0.00' },
      periodEnd: new Date(Date.now() + 86_400_000),
      ageMs: 0,
    });
    expect(cache.get(row.org, 'held')?.ongoing_balance).not.toBe('9.99');
  });

  it('waits in sync for the readings what it heard started', async () => {
    const cache = api.app.get(EntitlementCache);
    const [row] = await probe.rows<{ id: string; org: string }>(
      `SELECT id::text, organization_id::text AS org FROM customers WHERE external_id = 'held'`,
    );
    expect(await entitlement('held')).toBeDefined();
    await rewriteUnheard('held', '0.25');
    // As a notification naming it would: read again, and sync returns only once that reading is in.
    cache.changed([row.id]);
    await cache.sync();
    expect(cache.get(row.org, 'held')?.ongoing_balance).toBe('0.25');
  });
});
