import { startBillingWorld, type BillingWorld } from '../../test/billing-world';
import { AddRateOverride } from '../rates/add-rate-override';
import { ListPriceChanges } from './list-price-changes';
import { RecordPriceChanges } from './record-price-changes';

// A provider price change's impact on last period (docs/design.md "Analytics"): gold-mini goes from $0.50 to $1.00
// per million input tokens (output stays $1.50). Customer p used 2M input and 1M output in November: it cost 2.50 and
// would have cost 3.50 (+1.00); on its price-mode charge (+25%) it would have been billed 1.25 more: margin +0.25.

let world: BillingWorld;

beforeAll(async () => {
  world = await startBillingWorld('2026-11-20T00:00:00Z');
  await world.plan({
    code: 'std',
    name: 'Std',
    currency: 'USD',
    charges: [{ name: 'standard', models: ['*'], mode: 'price', markup: '0.25', margin_floor: null, allowance_eligible: true }],
  });
  await world.customer('p', { plan_code: 'std' });
  await world.usage('p', '2026-11-10T10:00:00Z', 'gold-mini', 2_000_000, 1_000_000);
  world.clock.set('2026-12-03T00:00:00Z');
});

afterAll(async () => {
  await world?.close();
});

it('records the impact per customer once, with rates.price_changed, and lists it', async () => {
  await world.get(AddRateOverride).execute({
    organizationId: world.organizationId,
    provider: 'test',
    model: 'gold-mini',
    prices: { input_tokens: '0.000001', output_tokens: '0.0000015' },
    tiers: [],
    effectiveFrom: new Date('2026-12-02T00:00:00Z'),
  });
  // The override recorded it already; another run records nothing.
  expect(await world.get(RecordPriceChanges).execute()).toEqual({ recorded: 0 });
  const { changes, nextBefore } = await world
    .get(ListPriceChanges)
    .execute({ organizationId: world.organizationId, before: null, limit: 10 });
  expect(nextBefore).toBeNull();
  expect(changes).toEqual([
    expect.objectContaining({
      provider: 'test',
      model: 'gold-mini',
      prices_before: { input_tokens: '0.5', output_tokens: '1.5' },
      prices_after: { input_tokens: '1', output_tokens: '1.5' },
      cost_change: '1',
      margin_change: '0.25',
      customers: [
        {
          external_customer_id: 'p',
          period_start: '2026-11-01T00:00:00.000Z',
          cost_before: '2.5',
          cost_after: '3.5',
          cost_change: '1',
          revenue_change: '1.25',
          margin_change: '0.25',
        },
      ],
    }),
  ]);
  const events = await world.billing.probe.rows<{ subject_key: string; payload: { cost_change: string } }>(
    `SELECT subject_key, payload FROM webhook_events WHERE type = 'rates.price_changed'`,
  );
  expect(events).toEqual([
    { subject_key: `rate_card_version:${changes[0].rate_card_version_id}`, payload: expect.objectContaining({ cost_change: '1' }) },
  ]);
});
