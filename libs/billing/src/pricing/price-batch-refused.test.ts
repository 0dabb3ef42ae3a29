import { randomUUID } from 'node:crypto';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import { startTestBilling, type TestBilling } from '@tollgate/testing/billing-harness';
import { IngestEvents } from '../events/ingest-events';
import { CreateOrganization } from '../organizations/create-organization';
import { testEvent } from '../test-support/events';
import { PriceBatch } from './price-batch';

// Amounts Postgres cannot hold (numeric(65,30): 35 integer digits) must not wedge a batch nor hold back the
// other customers' events in it: the refused events end unpriced with the reason, the rest is priced, the batch
// closes. The rate that makes them is written straight into the database, past any request-side bound.

let billing: TestBilling;
let organizationId: string;

/** An override of a made-up model at `perToken` USD per input token. */
async function rate(model: string, perToken: string) {
  await billing.probe.rows(
    `INSERT INTO rate_card_versions (id, scope, provider, model, prices, tiers, source, effective_from, fetched_at, content_hash)
     VALUES ($1, $2, 'acme', $3, $4, '[]', 'override', 'epoch', now(), $5)`,
    [randomUUID(), organizationId, model, JSON.stringify({ input_tokens: perToken, output_tokens: '0' }), randomUUID()],
  );
}

const huge = (customer: string, model: string) => ({
  ...testEvent(customer),
  provider: 'acme',
  model,
  usage: USAGE_DIMENSIONS.map((d) => (d === 'input_tokens' ? 1e12 : d === 'requests' ? 1 : 0)),
});

const eventOf = async (transactionId: string) =>
  (
    await billing.probe.rows<{ pricing_status: string; unpriced_reason: string | null }>(
      'SELECT pricing_status, unpriced_reason FROM events WHERE transaction_id = $1',
      [transactionId],
    )
  )[0];

async function expectAggregatesMatchEvents() {
  const fromEvents = await billing.probe.rows(
    `SELECT customer_id, charge, count(*)::text AS n, sum(rated_amount)::text AS r FROM events WHERE pricing_status = 'priced' GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const aggregates = await billing.probe.rows(
    `SELECT customer_id, charge, events::text AS n, rated_amount::text AS r FROM usage_aggregates WHERE events <> 0 ORDER BY 1, 2`,
  );
  expect(aggregates).toEqual(fromEvents);
}

beforeAll(async () => {
  billing = await startTestBilling({ PRICE_MAX_ATTEMPTS: '2' });
  organizationId = (await billing.get(CreateOrganization).execute({ name: 'overflow' })).id;
  await rate('too-big', '1' + '0'.repeat(25)); // 10^12 tokens × 10^25 = 10^37: no event can hold it
  await rate('big', '6' + '0'.repeat(22)); // 6 × 10^34 each: one fits, two in one aggregate do not
});

afterAll(async () => {
  await billing?.close();
});

describe('a batch with amounts Postgres refuses', () => {
  it('prices the other events, leaves the refused ones unpriced with the reason, and closes', async () => {
    const good = [testEvent('ok-1'), testEvent('ok-2'), testEvent('ok-3')];
    const bad = [huge('overflow-1', 'too-big'), huge('overflow-2', 'too-big')];
    const events = [good[0], bad[0], good[1], bad[1], good[2]];
    await billing.get(IngestEvents).execute({ organizationId, events });
    const [{ id: batchId }] = await billing.probe.rows<{ id: string }>(
      'SELECT batch_id::text AS id FROM events WHERE transaction_id = $1',
      [good[0].transactionId],
    );

    const result = await billing.get(PriceBatch).execute({ batchId });
    expect(result).toMatchObject({
      outcome: 'priced',
      priced: 3,
      unpriced: 2,
      refused: 2,
      refusedError: expect.stringMatching(/numeric field overflow/),
    });
    for (const e of good) expect((await eventOf(e.transactionId)).pricing_status).toBe('priced');
    for (const e of bad) {
      expect(await eventOf(e.transactionId)).toEqual({
        pricing_status: 'unpriced',
        unpriced_reason: expect.stringMatching(/^pricing refused by Postgres \(numeric field overflow\)/),
      });
    }
    const [batch] = await billing.probe.rows(
      'SELECT priced_at IS NOT NULL AS closed, quarantined_at IS NULL AS free, failed_attempts FROM ingest_batches WHERE id = $1',
      [batchId],
    );
    expect(batch).toEqual({ closed: true, free: true, failed_attempts: 0 });
    await expectAggregatesMatchEvents();
  });

  it('refuses only the event that would overflow its customer aggregate', async () => {
    const first = huge('big-spender', 'big');
    const second = huge('big-spender', 'big');
    const other = testEvent('ok-4');
    await billing.get(IngestEvents).execute({ organizationId, events: [first, other, second] });
    const [{ id: batchId }] = await billing.probe.rows<{ id: string }>(
      'SELECT batch_id::text AS id FROM events WHERE transaction_id = $1',
      [other.transactionId],
    );

    expect(await billing.get(PriceBatch).execute({ batchId })).toMatchObject({ outcome: 'priced', priced: 2, refused: 1 });
    expect((await eventOf(other.transactionId)).pricing_status).toBe('priced');
    const statuses = [(await eventOf(first.transactionId)).pricing_status, (await eventOf(second.transactionId)).pricing_status].sort();
    expect(statuses).toEqual(['priced', 'unpriced']);
    await expectAggregatesMatchEvents();
  });
});
