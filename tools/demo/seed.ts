import { type DemoApi, DemoApiError } from './demo-api';
import { sendTraffic, type TrafficProfile } from './traffic';

// The demo organisation (README "Demo"): a plan with a premium and a standard charge, three customers, a few
// days of traffic through @tollgate/sdk, the last period closed into invoices (pushed to Stripe by the worker
// when the push is on), and portal links. All through the public API, as an operator would.

export const DEMO_PLAN = {
  code: 'agents-pro',
  name: 'Agents Pro',
  currency: 'USD',
  interval: 'month',
  base_fee: '49.00',
  included_usage: '20.00',
  customer_line_detail: 'per_charge',
  charges: [
    { name: 'premium', models: ['o3*', 'claude-opus*'], mode: 'price', markup: '0.6', margin_floor: '0.3', allowance_eligible: false },
    { name: 'standard', models: ['*'], mode: 'price', markup: '0.25', margin_floor: '0.2', allowance_eligible: true },
  ],
};

/** Pay as you go from prepaid credit: no fee, no allowance, one clean usage line for the customer. */
export const DEMO_PREPAID_PLAN = {
  ...DEMO_PLAN,
  code: 'agents-prepaid',
  name: 'Agents Prepaid',
  base_fee: '0',
  included_usage: '0',
  prepaid: true,
  customer_line_detail: 'summary',
};

export interface DemoCustomer {
  externalId: string;
  name: string;
  /** What it shows in the demo. */
  story: string;
  planCode: string;
  fields: Record<string, unknown>;
  /** Prepaid credit bought (and paid) before the traffic. */
  credit?: string;
  traffic: Omit<TrafficProfile, 'customer'>;
}

export const DEMO_CUSTOMERS: DemoCustomer[] = [
  {
    externalId: 'northwind',
    name: 'Northwind Support',
    story: 'a support bot on prepaid credits ($150 bought), with a spending cap; its plan shows one usage line',
    planCode: DEMO_PREPAID_PLAN.code,
    fields: { spend_cap: '150.00' },
    credit: '150.00',
    traffic: {
      feature: 'support-bot',
      callsPerDay: 12,
      models: [
        ['openai', 'gpt-4o', 3],
        ['anthropic', 'claude-3-5-haiku-20241022', 1],
      ],
      promptTokens: 16_000,
      completionTokens: 900,
    },
  },
  {
    externalId: 'globex',
    name: 'Globex Research',
    story: 'heavy research agents: well over the plan’s included usage, premium models too',
    planCode: DEMO_PLAN.code,
    fields: {},
    traffic: {
      feature: 'research-agent',
      callsPerDay: 60,
      models: [
        ['openai', 'gpt-4o', 3],
        ['openai', 'o3', 1],
        ['anthropic', 'claude-sonnet-4-5', 2],
      ],
      promptTokens: 80_000,
      completionTokens: 3_000,
    },
  },
  {
    externalId: 'initech',
    name: 'Initech Automation',
    story: 'a 40% negotiated discount: the margin floor binds and keeps the standard line above cost',
    planCode: DEMO_PLAN.code,
    fields: { discount: '0.40' },
    traffic: {
      feature: 'workflow-agent',
      callsPerDay: 20,
      models: [['openai', 'gpt-4o', 1]],
      promptTokens: 30_000,
      completionTokens: 1_500,
    },
  },
];

export interface DemoResult {
  organizationId: string;
  organizationName: string;
  adminKey: string;
  calls: number;
  invoices: { customer: string; number: string | null; total: string; status: string }[];
  portalLinks: { customer: string; url: string }[];
}

const DAYS = 5;
const DAY_MS = 86_400_000;

/**
 * Seeds a new organisation `name` through the operator's key. The customers' periods start DAYS − 1 days ago
 * (their billing anchor); the traffic covers those days up to now; the period is then closed at the start of
 * yesterday (UTC), so the invoices bill the first days and the portal's current period shows yesterday and today.
 */
export async function seedDemo(operator: DemoApi, name: string, log: (line: string) => void, now = new Date()): Promise<DemoResult> {
  const created = await operator.call<{ id: string; name: string; admin_key: string }>('POST', '/v1/organizations', {
    name,
    invoice_prefix: 'DEMO',
  });
  const admin = operator.withKey(created.body.admin_key);
  const ingest = await admin.call<{ key: string }>('POST', '/v1/api_keys', { scope: 'ingest', name: 'demo traffic' });
  for (const plan of [DEMO_PLAN, DEMO_PREPAID_PLAN]) await admin.call('POST', '/v1/plans', plan);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const anchor = new Date(today - (DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
  for (const c of DEMO_CUSTOMERS) {
    await admin.call('POST', '/v1/customers', {
      external_id: c.externalId,
      name: c.name,
      plan_code: c.planCode,
      billing_anchor: anchor,
      ...c.fields,
    });
    if (c.credit) await admin.call('POST', `/v1/customers/${c.externalId}/credits`, { amount: c.credit, kind: 'purchased', paid: true });
  }
  log(`demo: sending ${DAYS} days of agent traffic through @tollgate/sdk (openai and @anthropic-ai/sdk against a local fake LLM)…`);
  const calls = await sendTraffic({
    baseUrl: operator.baseUrl,
    ingestKey: ingest.body.key,
    profiles: DEMO_CUSTOMERS.map((c) => ({ customer: c.externalId, ...c.traffic })),
    days: DAYS,
    now,
  });
  await pricedAll(admin, 120_000);
  const periodEnd = new Date(today - DAY_MS).toISOString();
  const invoices: DemoResult['invoices'] = [];
  for (const c of DEMO_CUSTOMERS) {
    const closed = await admin.call<{ number: string | null; total: string; status: string }>(
      'POST',
      `/v1/customers/${c.externalId}/invoices/close`,
      { period_end: periodEnd },
    );
    invoices.push({ customer: c.externalId, number: closed.body.number, total: closed.body.total, status: closed.body.status });
  }
  return {
    organizationId: created.body.id,
    organizationName: created.body.name,
    adminKey: created.body.admin_key,
    calls,
    invoices,
    portalLinks: await portalLinks(admin),
  };
}

/** A fresh portal link per demo customer (valid 7 days). */
export async function portalLinks(admin: DemoApi): Promise<{ customer: string; url: string }[]> {
  const links = [];
  for (const c of DEMO_CUSTOMERS) {
    const made = await admin.call<{ url: string }>('POST', `/v1/customers/${c.externalId}/portal_tokens`, {});
    links.push({ customer: c.externalId, url: made.body.url });
  }
  return links;
}

/** Waits until the worker priced every demo event (the invoices bill priced usage). */
async function pricedAll(admin: DemoApi, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let pending = 0;
    for (const c of DEMO_CUSTOMERS) {
      const usage = await admin.call<{ totals: { pending_events: number } }>(
        'GET',
        `/v1/customers/${c.externalId}/usage?from=${encodeURIComponent(new Date(Date.now() - 10 * DAY_MS).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      );
      pending += usage.body.totals.pending_events;
    }
    if (pending === 0) return;
    if (Date.now() > until)
      throw new DemoApiError(`${pending} demo events were still not priced after ${timeoutMs / 1000} s: is the worker running?`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
