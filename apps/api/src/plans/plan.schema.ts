import { z } from 'zod';
import { CURRENCIES } from '@tollgate/money';
import { PLAN_DEFAULTS, USAGE_DIMENSIONS } from '@tollgate/pricing';
import { MARGIN_FLOOR, MARKUP, PLAN_AMOUNT, PRICE } from '../common/limits';
import { named } from '../common/schema/openapi';
import {
  array,
  boolean,
  decimalString,
  instant,
  integer,
  limitParam,
  object,
  oneOf,
  optional,
  text,
  textCursor,
} from '../common/schema/primitives';
import { decimalOut, listOf, timestampOut } from '../common/schema/responses';

// The shape of a plan: types, lengths, formats and bounds. How its
// fields fit together (currency decimals, mode-specific fields, the default charge, unique names) is
// libs/pricing's validatePlan, run on what this accepts.

const MAX_CHARGES = 100;
const MAX_PATTERNS = 100;
const MAX_GRACE_HOURS = 24 * 366;
const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const defaultIs = (v: unknown) => ({ description: `Default: ${JSON.stringify(v)}.`, default: v });

export const TokenPrices = object(
  Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, optional(decimalString(PRICE))])) as Record<
    (typeof USAGE_DIMENSIONS)[number],
    ReturnType<typeof optional<ReturnType<typeof decimalString>>>
  >,
).meta({
  description:
    'Currency per million tokens (per unit for requests, images, web_searches), by usage dimension; input_tokens and output_tokens are required, other dimensions fall back to them.',
});

export const ChargeRequest = named(
  'ChargeRequest',
  object({
    name: text(255),
    models: array(text(255), 1, MAX_PATTERNS, 'patterns').meta({
      description: 'Model patterns, case-insensitive; * is any run of characters.',
    }),
    mode: optional(oneOf(['price', 'token']).meta(defaultIs(PLAN_DEFAULTS.mode))),
    markup: optional(decimalString(MARKUP)).meta({ description: 'Price mode only.' }),
    token_prices: optional(TokenPrices).meta({ description: 'Token mode only (and required there).' }),
    margin_floor: optional(decimalString(MARGIN_FLOOR)),
    allowance_eligible: optional(boolean().meta(defaultIs(PLAN_DEFAULTS.allowance_eligible))),
  }),
);

export const planFields = {
  name: text(255),
  currency: oneOf(CURRENCIES as [string, ...string[]], 'ISO 4217 code in capitals.'),
  interval: optional(oneOf(['week', 'month', 'year']).meta(defaultIs(PLAN_DEFAULTS.interval))),
  base_fee: optional(decimalString({ ...PLAN_AMOUNT, description: 'At most the currency’s decimal places.' })),
  included_usage: optional(
    decimalString({ ...PLAN_AMOUNT, description: 'The allowance per period; at most the currency’s decimal places.' }),
  ),
  minimum_commitment: optional(decimalString({ ...PLAN_AMOUNT, description: 'At most the currency’s decimal places.' })),
  grace_period_hours: optional(integer(0, MAX_GRACE_HOURS).meta(defaultIs(PLAN_DEFAULTS.grace_period_hours))),
  requires_approval: optional(boolean().meta(defaultIs(PLAN_DEFAULTS.requires_approval))),
  prepaid: optional(
    boolean().meta({
      ...defaultIs(PLAN_DEFAULTS.prepaid),
      description: 'Prepaid: the entitlement refuses calls once the customer’s ongoing credit balance is not above zero.',
    }),
  ),
  cost_source: optional(oneOf(['rate_card', 'reported']).meta(defaultIs(PLAN_DEFAULTS.cost_source))),
  customer_line_detail: optional(
    oneOf(
      ['per_charge', 'summary'],
      'What the customer sees of usage on the portal, the PDF and the Stripe invoice: one line per charge, or one "Usage" line.',
    ).meta(defaultIs(PLAN_DEFAULTS.customer_line_detail)),
  ),
  charges: array(ChargeRequest, 1, MAX_CHARGES, 'charges').meta({ description: 'Matched in order; the last matches every model ("*").' }),
};
export const code = text(255, { pattern: CODE, patternMessage: 'may contain only letters, digits, "_", "." and "-"' });

export const CreatePlanRequest = named('CreatePlanRequest', object({ code, ...planFields }));

export const UpdatePlanRequest = named(
  'UpdatePlanRequest',
  object({
    code: optional(code).meta({ description: "Must be the path's code if sent." }),
    ...planFields,
    effective_from: optional(instant('When the new version takes effect (default now); it bills whole periods.')),
  }),
);

export const PlanPath = object({ code: text(255) });
export const PlanListQuery = object({ cursor: optional(textCursor()), limit: limitParam() });

const ChargeOut = z.strictObject({
  name: z.string(),
  models: z.array(z.string()),
  mode: z.enum(['price', 'token']),
  markup: decimalOut().optional(),
  token_prices: z.record(z.string(), decimalOut()).optional(),
  margin_floor: decimalOut().nullable(),
  allowance_eligible: z.boolean(),
});

const versionFields = {
  id: z.string(),
  version: z.number().int(),
  effective_from: timestampOut(),
  created_at: timestampOut(),
};

export const Plan = named(
  'Plan',
  z.strictObject({
    code: z.string(),
    name: z.string(),
    currency: z.string(),
    interval: z.enum(['week', 'month', 'year']),
    base_fee: decimalOut(),
    included_usage: decimalOut(),
    minimum_commitment: decimalOut(),
    grace_period_hours: z.number().int(),
    requires_approval: z.boolean(),
    prepaid: z.boolean(),
    cost_source: z.enum(['rate_card', 'reported']),
    customer_line_detail: z.enum(['per_charge', 'summary']),
    charges: z.array(ChargeOut),
    ...versionFields,
  }),
);

export const PlanWithVersions = named('PlanWithVersions', Plan.extend({ versions: z.array(z.strictObject(versionFields)) }));
export const PlanList = listOf('PlanList', Plan);
