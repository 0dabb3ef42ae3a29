import { z } from 'zod';
import { DISCOUNT, SPEND_CAP } from '../common/limits';
import { named } from '../common/schema/openapi';
import {
  clearable,
  date,
  decimalString,
  instantParam,
  integer,
  limitParam,
  object,
  oneOf,
  optional,
  text,
  textCursor,
} from '../common/schema/primitives';
import { decimalOut, listOf, timestampOut, TokenCounts } from '../common/schema/responses';

// Customers. A PATCH changes the fields it names: null clears a field
// that may be empty (name, email, billing_anchor, spend_cap, stripe_customer_id, days_until_due); elsewhere null is absent.

export const COLLECTION_METHODS = ['charge_automatically', 'send_invoice'] as const;
/** Stripe takes any number of days; a year bounds a typo. */
export const MAX_DAYS_UNTIL_DUE = 365;

const fields = {
  name: text(255),
  email: text(255),
  plan_code: text(255).meta({ description: "Default: the organisation's default plan." }),
  discount: decimalString(DISCOUNT),
  billing_anchor: date('Periods start on this day of the month (or year); default: calendar months.'),
  spend_cap: decimalString(SPEND_CAP),
  stripe_customer_id: text(255),
  collection_method: oneOf(
    COLLECTION_METHODS,
    'How Stripe collects its invoices: charge the saved payment method (default), or email the invoice (due days_until_due days later).',
  ),
  days_until_due: integer(0, MAX_DAYS_UNTIL_DUE, 'send_invoice only (default 30): days from the Stripe invoice to its due date.'),
};

export const CreateCustomerRequest = named(
  'CreateCustomerRequest',
  object({
    external_id: text(255, { description: "Your id of the customer: the events' external_customer_id." }),
    name: optional(fields.name),
    email: optional(fields.email),
    plan_code: optional(fields.plan_code),
    discount: optional(fields.discount),
    billing_anchor: optional(fields.billing_anchor),
    spend_cap: optional(fields.spend_cap),
    stripe_customer_id: optional(fields.stripe_customer_id),
    collection_method: optional(fields.collection_method),
    days_until_due: optional(fields.days_until_due),
  }),
);

export const UpdateCustomerRequest = named(
  'UpdateCustomerRequest',
  object({
    name: clearable(fields.name),
    email: clearable(fields.email),
    plan_code: optional(fields.plan_code),
    discount: optional(fields.discount),
    billing_anchor: clearable(fields.billing_anchor),
    spend_cap: clearable(fields.spend_cap),
    stripe_customer_id: clearable(fields.stripe_customer_id),
    collection_method: optional(fields.collection_method),
    days_until_due: clearable(fields.days_until_due),
  }).meta({
    description:
      'Only the fields sent change; null clears name, email, billing_anchor, spend_cap, stripe_customer_id or days_until_due (back to 30 with send_invoice).',
  }),
);

/** What the service takes: a creation, or the fields of a change (null: clear it). */
export type CustomerInput = { external_id?: string } & z.output<typeof UpdateCustomerRequest>;

export const CustomerPath = object({ id: text(255, { description: "The customer's external_id." }) });
export const CustomerListQuery = object({ cursor: optional(textCursor()), limit: limitParam() });

export const GROUP_BY = ['model', 'charge', 'day', 'task', 'feature'] as const;
export const UsageQuery = object({
  from: optional(instantParam('Default: the start of the current billing period.')),
  to: optional(instantParam('Default: the end of the current billing period.')),
  group_by: optional(oneOf(GROUP_BY, 'Default: model.')),
});

export const Customer = named(
  'Customer',
  z.strictObject({
    id: z.string(),
    external_id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    plan_code: z.string(),
    discount: decimalOut(),
    billing_anchor: z.string().meta({ format: 'date' }).nullable(),
    spend_cap: decimalOut().nullable(),
    stripe_customer_id: z.string().nullable(),
    collection_method: z.enum(COLLECTION_METHODS),
    days_until_due: z.number().int().nullable(),
    created_at: timestampOut(),
  }),
);

export const CustomerList = listOf('CustomerList', Customer);

const usageGroup = {
  events: z.number().int(),
  provider_cost: decimalOut(),
  rated_amount: decimalOut('Sum of the events’ rated amounts, before discount, floor and allowance.'),
  tokens: TokenCounts,
};

export const CustomerUsage = named(
  'CustomerUsage',
  z.strictObject({
    from: timestampOut(),
    to: timestampOut(),
    group_by: z.enum(GROUP_BY),
    groups: z.array(z.strictObject({ key: z.string().nullable(), ...usageGroup })),
    totals: z.strictObject({ ...usageGroup, pending_events: z.number().int(), unpriced_events: z.number().int() }),
  }),
);

export const Entitlement = named(
  'Entitlement',
  z.strictObject({
    allowed: z.boolean(),
    reason: z.enum(['credits_exhausted', 'spend_cap_reached']).optional().meta({
      description: 'credits_exhausted: a prepaid plan and no ongoing balance left; spend_cap_reached: the period usage reached the cap.',
    }),
    ongoing_balance: decimalOut(),
    period_usage: decimalOut('What the next invoice bills for usage (its usage and late-usage lines net of the allowance).'),
    spend_cap: decimalOut().optional(),
  }),
);

export { InvoicePreview } from '../invoices/invoice.schema';
