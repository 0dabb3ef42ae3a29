import type { InvoiceLineRow, InvoiceRow } from '@tollgate/db';
import { Decimal, formatAmount, formatExact, halfAwayFromZero } from '@tollgate/money';
import { emptyUsage, USAGE_DIMENSIONS, type Invoice, type InvoiceLineType, type Usage } from '@tollgate/pricing';

/** Places an unrounded amount keeps in storage (numeric(65,30)) and in the API. */
export const PRECISE_PLACES = 30;

/** An invoice line as use cases return it (exact values; the JSON mapping formats them). */
export interface InvoiceLineView {
  type: InvoiceLineType;
  description: string;
  charge: string | null;
  provider_cost: Decimal | null;
  amount: Decimal;
  amount_precise: Decimal;
  floor_applied: boolean;
  /** Usage and late-usage lines. */
  usage: { events: bigint; rated_amount: Decimal; tokens: Usage } | null;
  /** Late usage: the start of the period the usage belongs to. */
  late_period_start: Date | null;
  coupon_id: string | null;
}

/** An invoice (stored, a draft as computed now, or a preview) as use cases return it. */
export interface InvoiceView {
  id: string | null;
  number: string | null;
  status: 'preview' | 'draft' | 'finalized' | 'paid' | 'payment_failed' | 'void';
  type: string;
  external_customer_id: string;
  plan_code: string;
  plan_version: number | null;
  period_start: Date;
  period_end: Date;
  currency: string;
  discount: Decimal;
  lines: InvoiceLineView[];
  subtotal: Decimal;
  credits_applied: Decimal;
  total: Decimal;
  finalize_after: Date | null;
  requires_approval: boolean;
  finalized_at: Date | null;
  voided_at: Date | null;
  void_reason: string | null;
  stripe_invoice_id: string | null;
  stripe_status: string | null;
  created_at: Date | null;
  /** A draft whose last computation failed: why (it keeps its previous lines). */
  compute_error: string | null;
}

type Header = Omit<InvoiceView, 'lines' | 'subtotal' | 'credits_applied' | 'total' | 'currency' | 'plan_version' | 'discount'>;

export function headerOf(row: InvoiceRow): Header {
  return {
    id: row.id,
    number: row.number,
    status: row.status as InvoiceView['status'],
    type: row.type,
    external_customer_id: row.external_customer_id,
    plan_code: row.plan_code,
    period_start: row.period_start,
    period_end: row.period_end,
    finalize_after: row.finalize_after,
    requires_approval: row.requires_approval,
    finalized_at: row.finalized_at,
    voided_at: row.voided_at,
    void_reason: row.void_reason,
    stripe_invoice_id: row.stripe_invoice_id,
    stripe_status: row.stripe_status,
    created_at: row.created_at,
    compute_error: row.compute_error,
  };
}

/** A stored invoice with its stored lines (finalized and later: what it billed, unchanged). */
export function storedView(row: InvoiceRow, lines: readonly InvoiceLineRow[]): InvoiceView {
  return {
    ...headerOf(row),
    currency: row.currency,
    plan_version: row.plan_version,
    discount: new Decimal(row.discount),
    subtotal: new Decimal(row.subtotal),
    credits_applied: new Decimal(row.credits_applied),
    total: new Decimal(row.total),
    lines: lines.map((l) => {
      let usage: InvoiceLineView['usage'] = null;
      if (l.events !== null && l.tokens !== null) {
        const tokens = emptyUsage();
        USAGE_DIMENSIONS.forEach((d, k) => (tokens[d] = BigInt(l.tokens![k])));
        usage = { events: BigInt(l.events), rated_amount: new Decimal(l.rated_amount ?? 0), tokens };
      }
      return {
        type: l.type as InvoiceLineType,
        description: l.description,
        charge: l.charge,
        provider_cost: l.provider_cost === null ? null : new Decimal(l.provider_cost),
        amount: new Decimal(l.amount),
        amount_precise: new Decimal(l.amount_precise),
        floor_applied: l.floor_applied,
        usage,
        late_period_start: l.type === 'late_usage' ? l.period_start : null,
        coupon_id: l.coupon_id,
      };
    }),
  };
}

/** An invoice as computed now: a draft being read, or the preview. */
export function computedView(header: Header, invoice: Invoice, planVersion: number, discount: Decimal): InvoiceView {
  return {
    ...header,
    currency: invoice.currency,
    plan_version: planVersion,
    discount,
    subtotal: invoice.subtotal,
    credits_applied: invoice.credits_applied,
    total: invoice.total,
    lines: invoice.lines.map((l) => ({
      type: l.type,
      description: l.description,
      charge: l.charge,
      provider_cost: l.provider_cost,
      amount: l.amount,
      amount_precise: l.amount_precise,
      floor_applied: l.floor_applied,
      usage: l.usage === null ? null : { events: l.usage.events, rated_amount: l.usage.rated_amount, tokens: l.usage.tokens },
      late_period_start: l.type === 'late_usage' ? (l.usage?.period_start ?? null) : null,
      coupon_id: l.coupon_id,
    })),
  };
}

export interface InvoiceJsonOptions {
  /**
   * Show what the operator's costs are (a line's `provider_cost`, whether its margin floor bound, why a draft
   * could not be computed): admin keys only; the customer's portal shows what the customer is billed.
   */
  costs: boolean;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const preciseText = (v: Decimal) => formatExact(halfAwayFromZero(v, PRECISE_PLACES));

/**
 * An invoice as the API shows it (docs/api.md "Invoices"): amounts rounded to the currency's minor unit, exact
 * ones beside them (at most 30 decimal places, as stored), money as decimal strings.
 */
export function invoiceJson(v: InvoiceView, { costs }: InvoiceJsonOptions) {
  return {
    id: v.id,
    number: v.number,
    status: v.status,
    type: v.type,
    external_customer_id: v.external_customer_id,
    plan_code: v.plan_code,
    plan_version: v.plan_version,
    period_start: v.period_start.toISOString(),
    period_end: v.period_end.toISOString(),
    currency: v.currency,
    discount: v.discount.toFixed(),
    lines: v.lines.map((l) => ({
      type: l.type,
      description: l.description,
      charge: l.charge,
      ...(costs ? { provider_cost: l.provider_cost === null ? null : l.provider_cost.toFixed() } : {}),
      amount: formatAmount(l.amount, v.currency),
      amount_precise: preciseText(l.amount_precise),
      ...(costs ? { floor_applied: l.floor_applied } : {}),
      ...(l.usage === null
        ? {}
        : {
            events: Number(l.usage.events),
            rated_amount: l.usage.rated_amount.toFixed(),
            tokens: Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, Number(l.usage!.tokens[d])])),
          }),
      ...(l.late_period_start === null ? {} : { period_start: l.late_period_start.toISOString() }),
      ...(l.coupon_id === null ? {} : { coupon_id: l.coupon_id }),
    })),
    subtotal: formatAmount(v.subtotal, v.currency),
    credits_applied: formatAmount(v.credits_applied, v.currency),
    total: formatAmount(v.total, v.currency),
    finalize_after: iso(v.finalize_after),
    requires_approval: v.requires_approval,
    finalized_at: iso(v.finalized_at),
    voided_at: iso(v.voided_at),
    void_reason: v.void_reason,
    stripe_invoice_id: v.stripe_invoice_id,
    stripe_status: v.stripe_status,
    created_at: iso(v.created_at),
    ...(costs ? { compute_error: v.compute_error } : {}),
  };
}
