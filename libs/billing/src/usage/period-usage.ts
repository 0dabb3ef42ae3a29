import type { AggregateRow } from '@tollgate/db';
import { Decimal, ZERO } from '@tollgate/money';
import { emptyUsage, type ChargeAggregate, type Invoice, USAGE_DIMENSIONS } from '@tollgate/pricing';

/** A period's stored aggregates as the invoice computation takes them. */
export function chargeAggregates(rows: readonly AggregateRow[]): ChargeAggregate[] {
  return rows.map((row) => {
    const tokens = emptyUsage();
    for (const d of USAGE_DIMENSIONS) tokens[d] = BigInt(row.tokens[d]);
    return {
      charge: row.charge,
      events: BigInt(row.events),
      provider_cost: new Decimal(row.provider_cost),
      rated_amount: new Decimal(row.rated_amount),
      tokens,
    };
  });
}

/**
 * What an invoice bills for usage: its usage and late-usage lines (discounted, floored, rounded) net of the
 * allowance; coupons and the base fee are not usage. The entitlement reports it as period_usage and usage alerts
 * compare their amounts with it.
 */
export function periodUsage(invoice: Invoice): Decimal {
  return invoice.lines
    .filter((l) => l.type === 'usage' || l.type === 'late_usage' || l.type === 'allowance')
    .reduce((sum, l) => sum.plus(l.amount), ZERO);
}
