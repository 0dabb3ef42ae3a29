import { Decimal } from '@tollgate/money';

/**
 * The subject of usage.threshold_crossed: one event per customer, billing period and amount. The amount is
 * written canonically ("100.00" and "100" are one threshold).
 */
export function usageThresholdSubject(customerId: string, periodStart: Date, threshold: string): string {
  return `customer:${customerId}:period:${periodStart.toISOString()}:threshold:${new Decimal(threshold).toFixed()}`;
}
