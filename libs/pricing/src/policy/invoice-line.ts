import type { Decimal } from '@tollgate/money';
import type { Usage } from '../dimensions';
import { roundLine } from './round-line';

export type InvoiceLineType =
  | 'usage'
  | 'late_usage'
  | 'allowance'
  | 'base_fee'
  | 'minimum_commitment'
  | 'coupon'
  | 'credits'
  // The one line of a credit_purchase invoice: the prepaid credit it sells.
  | 'credit_purchase';

/** What a usage or late-usage line summed. */
export interface LineUsage {
  readonly events: bigint;
  readonly tokens: Usage;
  /** Σ rated_amount before discount and floor. */
  readonly rated_amount: Decimal;
  /** Late usage only: start of the finalized period the events belong to. */
  readonly period_start: Date | null;
}

export interface InvoiceLine {
  readonly type: InvoiceLineType;
  readonly description: string;
  readonly charge: string | null;
  readonly provider_cost: Decimal | null;
  /** Rounded to the currency's minor unit; deductions are negative. */
  readonly amount: Decimal;
  /** The same amount before rounding. */
  readonly amount_precise: Decimal;
  readonly floor_applied: boolean;
  readonly usage: LineUsage | null;
  readonly coupon_id: string | null;
}

type LineFields = Partial<Omit<InvoiceLine, 'type' | 'description' | 'amount' | 'amount_precise'>>;

/** Every line is made here, so each is rounded exactly once, by the invoice rule, with its precise amount kept. */
export function invoiceLine(
  type: InvoiceLineType,
  description: string,
  amountPrecise: Decimal,
  currency: string,
  fields: LineFields = {},
): InvoiceLine {
  return {
    type,
    description,
    charge: fields.charge ?? null,
    provider_cost: fields.provider_cost ?? null,
    amount: roundLine(amountPrecise, currency),
    amount_precise: amountPrecise,
    floor_applied: fields.floor_applied ?? false,
    usage: fields.usage ?? null,
    coupon_id: fields.coupon_id ?? null,
  };
}
