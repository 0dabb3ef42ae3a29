import { z } from 'zod';
import { INVOICE_STATUSES, UUID_PATTERN } from '@tollgate/billing';
import { named } from '../common/schema/openapi';
import { decodeCursorText, instant, instantParam, limitParam, object, oneOf, optional, text } from '../common/schema/primitives';
import { decimalOut, listOf, TokenCounts, timestampOut } from '../common/schema/responses';

// Invoices (docs/api.md "Invoices"): the invoice, its list and the requests that close, approve, void and
// reissue them.

const LINE_TYPES = ['usage', 'late_usage', 'allowance', 'base_fee', 'minimum_commitment', 'coupon', 'credits', 'credit_purchase'] as const;

const InvoiceLine = named(
  'InvoiceLine',
  z.strictObject({
    type: z.enum(LINE_TYPES),
    description: z.string(),
    charge: z.string().nullable().meta({ description: "The charge's name (usage and late-usage lines)." }),
    provider_cost: decimalOut('Admin keys only.').nullable().optional(),
    amount: decimalOut('Rounded to the currency’s minor unit; deductions are negative.'),
    amount_precise: decimalOut('The amount before rounding (at most 30 decimal places).'),
    floor_applied: z.boolean().optional().meta({ description: 'Admin keys only: whether the margin floor set the amount.' }),
    events: z.number().int().optional().meta({ description: 'Usage and late-usage lines.' }),
    rated_amount: decimalOut('Usage and late-usage lines: before discount and floor.').optional(),
    tokens: TokenCounts.optional(),
    period_start: timestampOut('Late usage: the start of the period the usage belongs to.').optional(),
    coupon_id: z.string().optional().meta({ description: 'Coupon lines.' }),
  }),
);

const invoiceFields = {
  type: z.enum(['usage', 'credit_purchase']),
  external_customer_id: z.string(),
  plan_code: z.string(),
  plan_version: z.number().int().nullable(),
  period_start: timestampOut(),
  period_end: timestampOut('The period’s end, or the instant it was closed early.'),
  currency: z.string(),
  discount: decimalOut('The customer’s discount (frozen when the invoice is finalized).'),
  lines: z.array(InvoiceLine),
  subtotal: decimalOut(),
  credits_applied: decimalOut(),
  total: decimalOut(),
  finalize_after: timestampOut('End of the grace period.').nullable(),
  requires_approval: z.boolean(),
  finalized_at: timestampOut().nullable(),
  voided_at: timestampOut().nullable(),
  void_reason: z.string().nullable(),
  stripe_invoice_id: z.string().nullable(),
  stripe_status: z.string().nullable(),
  created_at: timestampOut().nullable(),
  compute_error: z.string().nullable().optional().meta({ description: 'Admin keys only: why a draft could not be computed.' }),
};

export const Invoice = named(
  'Invoice',
  z.strictObject({
    id: z.string(),
    number: z.string().nullable().meta({ description: '<prefix>-<year>-<sequence>, from finalization on.', example: 'TG-2026-000123' }),
    status: z.enum(INVOICE_STATUSES),
    ...invoiceFields,
  }),
);

export const InvoicePreview = named(
  'InvoicePreview',
  z.strictObject({ id: z.null(), number: z.null(), status: z.literal('preview'), ...invoiceFields }),
);

export const InvoiceList = listOf('InvoiceList', Invoice);

/** An invoice's id in a path: anything else is simply not found. */
export const InvoicePath = object({ id: text(255) });

/** The last invoice of a page: its period's start (ms) and id. */
export function invoiceCursor() {
  return z
    .string()
    .transform((cursor, ctx) => {
      const [ms, id] = (decodeCursorText(cursor) ?? '').split('.');
      if (!/^\d{1,15}$/.test(ms ?? '') || !UUID_PATTERN.test(id ?? '')) {
        ctx.issues.push({ code: 'custom', message: 'is not a cursor this API returned', input: cursor });
        return z.NEVER;
      }
      return { periodStart: new Date(Number(ms)), id: id! };
    })
    .meta({ type: 'string', description: 'next_cursor of the previous page' });
}

export const writeInvoiceCursor = (after: { periodStart: Date; id: string } | null) =>
  after === null ? null : Buffer.from(`${after.periodStart.getTime()}.${after.id}`).toString('base64url');

export const InvoiceListQuery = object({
  external_customer_id: optional(text(255)),
  status: optional(oneOf(INVOICE_STATUSES)),
  from: optional(instantParam("Bound on the period's start (inclusive).")),
  to: optional(instantParam("Bound on the period's start (exclusive).")),
  cursor: optional(invoiceCursor()),
  limit: limitParam(),
});

export const ClosePeriodRequest = named(
  'ClosePeriodRequest',
  optional(
    object({
      period_end: optional(instant('When the period closes: now by default, never in the future nor before the current period.')),
    }),
  ),
);

export const VoidInvoiceRequest = named(
  'VoidInvoiceRequest',
  object({
    reason: text(500, { pattern: /\S/, patternMessage: 'must not be blank', description: 'Why the invoice is void (kept on it).' }),
  }),
);
