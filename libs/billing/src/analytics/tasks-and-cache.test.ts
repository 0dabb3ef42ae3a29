import { USAGE_DIMENSIONS, type UsageDimension } from '@tollgate/pricing';
import { startBillingWorld, goldEvent, type BillingWorld } from '../../test/billing-world';
import { IngestEvents } from '../events/ingest-events';
import { AddRateOverride } from '../rates/add-rate-override';
import { GetCacheSavings } from './get-cache-savings';
import { GetTaskCosts } from './get-task-costs';

// Cost per task and prompt-cache savings on hand-worked figures (gold-mini: $0.50 per million input tokens,
// gold-o3 $2; cache-model: input $2, cache reads $0.20, cache writes $2.50 per million, and from a prompt of
// 5,000,001 tokens input $4, cache reads $0.40).

let world: BillingWorld;
let seq = 0;

async function call(
  customer: string,
  at: string,
  model: string,
  usage: Partial<Record<UsageDimension, number>>,
  extra: { task?: [string, string]; status?: 'error'; retryOf?: string } = {},
): Promise<string> {
  const base = goldEvent(customer, Date.parse(at), 'gold-mini', 0, 0);
  const transactionId = `tc-${seq++}`;
  await world.get(IngestEvents).execute({
    organizationId: world.organizationId,
    events: [
      {
        ...base,
        transactionId,
        model,
        usage: USAGE_DIMENSIONS.map((d) => usage[d] ?? (d === 'requests' ? 1 : 0)),
        taskId: extra.task?.[0] ?? null,
        metadata: extra.task ? { task_name: extra.task[1] } : null,
        status: extra.status ?? 'success',
        retryOf: extra.retryOf ?? null,
      },
    ],
  });
  return transactionId;
}

const range = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') };

beforeAll(async () => {
  world = await startBillingWorld('2026-11-25T00:00:00Z');
  await world.get(AddRateOverride).execute({
    organizationId: world.organizationId,
    provider: 'test',
    model: 'cache-model',
    prices: { input_tokens: '0.000002', cache_read_tokens: '0.0000002', cache_write_tokens: '0.0000025', output_tokens: '0.000008' },
    tiers: [{ min_prompt_tokens: 5_000_001, prices: { input_tokens: '0.000004', cache_read_tokens: '0.0000004' } }],
    effectiveFrom: new Date('2026-01-01T00:00:00Z'),
  });
  // t1 (triage): a call, a failed call (0.50 each) and its retry: 3 calls, 1.50, of which retries 1.00.
  await call('x', '2026-11-02T10:00:00Z', 'gold-mini', { input_tokens: 1_000_000 }, { task: ['t1', 'triage'] });
  const failed = await call(
    'x',
    '2026-11-02T10:01:00Z',
    'gold-mini',
    { input_tokens: 1_000_000 },
    { task: ['t1', 'triage'], status: 'error' },
  );
  await call('x', '2026-11-02T10:02:00Z', 'gold-mini', { input_tokens: 1_000_000 }, { task: ['t1', 'triage'], retryOf: failed });
  // t2 (triage): one gold-o3 call, 2.00. t3 (summarise): two calls of 1.00.
  await call('x', '2026-11-03T10:00:00Z', 'gold-o3', { input_tokens: 1_000_000 }, { task: ['t2', 'triage'] });
  await call('x', '2026-11-04T10:00:00Z', 'gold-mini', { input_tokens: 2_000_000 }, { task: ['t3', 'summarise'] });
  await call('x', '2026-11-04T10:05:00Z', 'gold-mini', { input_tokens: 2_000_000 }, { task: ['t3', 'summarise'] });
  // Cache: 11-05 (a prompt of 5M, below the tier) reads 4M (saved 4 × 1.80 = 7.20), writes 0.5M (0.25 above input);
  // 11-06, at the tier (a prompt of 6M): reads 4M saved 4 × 3.60 = 14.40.
  await call('y', '2026-11-05T10:00:00Z', 'cache-model', {
    input_tokens: 500_000,
    cache_read_tokens: 4_000_000,
    cache_write_tokens: 500_000,
  });
  await call('y', '2026-11-06T10:00:00Z', 'cache-model', { input_tokens: 2_000_000, cache_read_tokens: 4_000_000 });
  await world.priceAll();
});

afterAll(async () => {
  await world?.close();
});

it('cost per task: per kind, percentiles, retries, the longest loops', async () => {
  const r = await world.get(GetTaskCosts).execute({ organizationId: world.organizationId, longest: 10, ...range });
  expect(r.kinds).toEqual([
    {
      task_name: 'triage',
      tasks: 2,
      calls: 4,
      calls_per_task: { mean: '2.00', p50: 1, p95: 3, max: 3 },
      provider_cost: '3.5',
      cost_per_task: { p50: '1.5', p95: '2', max: '2' },
      retry_calls: 2,
      retry_cost: '1',
      retry_cost_share: '0.2857',
    },
    {
      task_name: 'summarise',
      tasks: 1,
      calls: 2,
      calls_per_task: { mean: '2.00', p50: 2, p95: 2, max: 2 },
      provider_cost: '2',
      cost_per_task: { p50: '2', p95: '2', max: '2' },
      retry_calls: 0,
      retry_cost: '0',
      retry_cost_share: '0.0000',
    },
  ]);
  expect(r.longest.map((t) => [t.task_id, t.calls, t.provider_cost, t.first_day])).toEqual([
    ['t1', 3, '1.5', '2026-11-02'],
    ['t3', 2, '2', '2026-11-04'],
    ['t2', 1, '2', '2026-11-03'],
  ]);
});

it('prompt-cache savings: per customer and model, per day, in total (tiers included)', async () => {
  const r = await world.get(GetCacheSavings).execute({ organizationId: world.organizationId, limit: 10, ...range });
  expect(r.groups).toEqual([
    {
      external_customer_id: 'y',
      model: 'cache-model',
      input_tokens: 2_500_000,
      cache_read_tokens: 8_000_000,
      cache_write_tokens: 500_000,
      cache_write_1h_tokens: 0,
      read_savings: '21.6',
      write_extra_cost: '0.25',
      net_savings: '21.35',
      hit_rate: '0.7273',
    },
  ]);
  expect(r.days.filter((d) => d.cache_read_tokens > 0).map((d) => [d.day, d.read_savings, d.write_extra_cost, d.hit_rate])).toEqual([
    ['2026-11-05', '7.2', '0.25', '0.8000'],
    ['2026-11-06', '14.4', '0', '0.6667'],
  ]);
  expect(r.totals).toMatchObject({ read_savings: '21.6', net_savings: '21.35' });
});
