import { z } from 'zod';
import { named } from '../common/schema/openapi';
import { idCursor, instantParam, integerParam, limitParam, object, optional } from '../common/schema/primitives';
import { decimalOut, listOf, timestampOut, TokenCounts } from '../common/schema/responses';

// The analytics reports (docs/api.md "Analytics"). Ranges are whole UTC days: the rollups are kept per day.

export const ANALYTICS_DIMENSIONS = ['customer', 'model', 'provider', 'charge', 'feature', 'task', 'day'] as const;
export type AnalyticsDimensionParam = (typeof ANALYTICS_DIMENSIONS)[number];

const RANGE_DOC = 'A UTC midnight (RFC 3339 or Unix milliseconds).';

/** `customer` or `customer,model`: one or two distinct dimensions. */
const groupBy = () =>
  z
    .string()
    .check((ctx) => {
      const parts = ctx.value.split(',');
      const problem =
        parts.length > 2
          ? 'at most two dimensions, comma-separated'
          : parts.some((p) => !(ANALYTICS_DIMENSIONS as readonly string[]).includes(p))
            ? `must be one or two of ${ANALYTICS_DIMENSIONS.map((d) => `"${d}"`).join(', ')}, comma-separated`
            : parts.length === 2 && parts[0] === parts[1]
              ? 'the two dimensions must differ'
              : null;
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    })
    .transform((v) => v.split(',') as AnalyticsDimensionParam[])
    .meta({
      type: 'string',
      description: `One or two of ${ANALYTICS_DIMENSIONS.join(', ')}, comma-separated (e.g. customer,model). Default: customer.`,
      example: 'customer,model',
    });

export const range = {
  from: optional(instantParam(`${RANGE_DOC} Default: 30 days before \`to\`.`)),
  to: optional(instantParam(`${RANGE_DOC} Exclusive. Default: the end of today (UTC).`)),
};

export const MarginQuery = object({ ...range, group_by: optional(groupBy()) });

const figures = {
  events: z.number().int(),
  tokens: TokenCounts,
  provider_cost: decimalOut('What the usage cost at the providers (USD), unrounded.'),
  revenue: decimalOut('What the invoices billed for it, attributed below the invoice (docs/design.md "Analytics").'),
  margin: decimalOut('revenue − provider_cost.'),
  margin_pct: decimalOut('margin as a percentage of revenue, 2 places; null without revenue.').nullable(),
};

export const MarginReport = named(
  'MarginReport',
  z.strictObject({
    from: timestampOut(),
    to: timestampOut(),
    group_by: z.array(z.enum(ANALYTICS_DIMENSIONS)),
    currencies: z.array(z.string()).meta({ description: 'The currencies of the invoices the revenue comes from.' }),
    groups: z.array(
      z.strictObject({
        key: z
          .record(z.string(), z.string().nullable())
          .meta({ description: 'The group’s value per dimension; null: none (revenue billed at the customer level has null below it).' }),
        ...figures,
      }),
    ),
    totals: z.strictObject(figures),
  }),
);

const ratio = (description: string) => z.string().meta({ pattern: '^\\d+\\.\\d{4}$', description });

export const MarginCliff = named(
  'MarginCliff',
  z.strictObject({
    as_of: timestampOut(),
    target_margin: decimalOut('The organisation’s target margin (0.30: 30% of revenue).'),
    customers: z.array(
      z.strictObject({
        external_customer_id: z.string(),
        basis: z.enum(['current', 'last']).meta({
          description: 'current: the period under way, projected to its end from the run rate; last: the latest period ended.',
        }),
        period_start: timestampOut(),
        period_end: timestampOut(),
        elapsed: decimalOut('The share of the period gone (1 for the last period).'),
        provider_cost: decimalOut('Projected for the current period; 6 places.'),
        revenue: decimalOut('The period’s invoice total, or what the invoice would bill (projected for the current period); 6 places.'),
        margin: decimalOut(),
        margin_pct: decimalOut().nullable(),
        money_at_risk: decimalOut('The revenue missing to reach the target: cost / (1 − target) − revenue, 2 places up.'),
        drivers: z.array(
          z.strictObject({
            kind: z.enum(['model_mix', 'output_share', 'cache_hit_rate', 'retries']),
            model: z.string().optional().meta({ description: 'model_mix: the model whose share of the cost grew most.' }),
            before: ratio('In the period before (null: none).').nullable(),
            now: ratio('In this period.'),
            worsened: z.boolean(),
          }),
        ),
        fix: z.strictObject({
          revenue_needed: decimalOut('The revenue at the target margin, 2 places up.'),
          margin_floor: decimalOut('A margin floor that reaches the target on every usage line.'),
          markup: decimalOut(
            'The price-mode markup that reaches it after the customer’s discount (fees, allowance and coupons aside); 4 places up.',
          ).nullable(),
        }),
      }),
    ),
  }),
);

export const TaskCostsQuery = object({
  ...range,
  longest: optional(integerParam(1, 1000, 'How many of the longest tasks to list; default 20.')),
});

export const TaskCosts = named(
  'TaskCosts',
  z.strictObject({
    from: timestampOut(),
    to: timestampOut(),
    kinds: z.array(
      z.strictObject({
        task_name: z.string().nullable().meta({ description: 'The SDK task()’s name; null: tasks without one.' }),
        tasks: z.number().int(),
        calls: z.number().int(),
        calls_per_task: z.strictObject({ mean: decimalOut(), p50: z.number().int(), p95: z.number().int(), max: z.number().int() }),
        provider_cost: decimalOut(),
        cost_per_task: z.strictObject({ p50: decimalOut(), p95: decimalOut(), max: decimalOut() }),
        retry_calls: z.number().int(),
        retry_cost: decimalOut('Calls sent with retry_of or status "error".'),
        retry_cost_share: ratio('retry_cost / provider_cost.'),
      }),
    ),
    longest: z.array(
      z.strictObject({
        task_id: z.string(),
        task_name: z.string().nullable(),
        external_customer_id: z.string(),
        calls: z.number().int(),
        retry_calls: z.number().int(),
        provider_cost: decimalOut(),
        first_day: z.string().meta({ format: 'date' }),
        last_day: z.string().meta({ format: 'date' }),
      }),
    ),
  }),
);

export const CacheSavingsQuery = object({ ...range, limit: limitParam() });

const cacheFigures = {
  input_tokens: z.number().int(),
  cache_read_tokens: z.number().int(),
  cache_write_tokens: z.number().int(),
  cache_write_1h_tokens: z.number().int(),
  read_savings: decimalOut('What cache reads saved against the input price of the card (and tier) they were priced with.'),
  write_extra_cost: decimalOut('What cache writes cost above that input price.'),
  net_savings: decimalOut('read_savings − write_extra_cost.'),
  hit_rate: ratio('Cache reads over the prompt’s tokens (fresh input, cache reads and writes).'),
};

export const CacheSavings = named(
  'CacheSavings',
  z.strictObject({
    from: timestampOut(),
    to: timestampOut(),
    groups: z.array(z.strictObject({ external_customer_id: z.string(), model: z.string(), ...cacheFigures })),
    days: z.array(z.strictObject({ day: z.string().meta({ format: 'date' }), ...cacheFigures })),
    totals: z.strictObject(cacheFigures),
  }),
);

export const PriceChangesQuery = object({ cursor: optional(idCursor()), limit: limitParam() });

const prices = z
  .record(z.string(), decimalOut())
  .meta({ description: 'USD per million tokens (per unit for counts), by usage dimension.' });

export const PriceChange = named(
  'PriceChange',
  z.strictObject({
    id: z.string(),
    provider: z.string(),
    model: z.string(),
    rate_card_version_id: z.string(),
    previous_version_id: z.string(),
    effective_from: timestampOut(),
    prices_before: prices,
    prices_after: prices,
    cost_change: decimalOut('Σ over the customers: what their last complete period’s usage of the model would cost more (less), USD.'),
    margin_change: decimalOut('Σ over the customers: billed change − cost change.'),
    customers: z.array(
      z.strictObject({
        external_customer_id: z.string(),
        period_start: timestampOut(),
        cost_before: decimalOut(),
        cost_after: decimalOut(),
        cost_change: decimalOut(),
        revenue_change: decimalOut('Price-mode charges follow the cost with their markup and the discount; token-mode ones do not.'),
        margin_change: decimalOut(),
      }),
    ),
    created_at: timestampOut(),
  }),
);

export const PriceChangeList = listOf('PriceChangeList', PriceChange);
