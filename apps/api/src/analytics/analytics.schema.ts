import { z } from 'zod';
import { named } from '../common/schema/openapi';
import { instantParam, object, optional } from '../common/schema/primitives';
import { decimalOut, timestampOut, TokenCounts } from '../common/schema/responses';

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
