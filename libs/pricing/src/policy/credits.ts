import { Decimal, ZERO, down, roundToMinorUnit } from '@tollgate/money';

/** A prepaid or granted credit in the customer's wallet, in the invoice's currency. */
export interface CreditGrant {
  readonly id: string;
  readonly remaining: Decimal;
  /** Lower numbers are used first. */
  readonly priority: number;
  readonly expires_at: Date | null;
  readonly created_at: Date;
}

/** One use of a grant: a ledger entry of consumption. */
export interface CreditConsumption {
  readonly grant_id: string;
  readonly amount: Decimal;
}

function byUseOrder(a: CreditGrant, b: CreditGrant): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  const ea = a.expires_at?.getTime() ?? Number.POSITIVE_INFINITY;
  const eb = b.expires_at?.getTime() ?? Number.POSITIVE_INFINITY;
  if (ea !== eb) return ea - eb;
  const ca = a.created_at.getTime();
  const cb = b.created_at.getTime();
  if (ca !== cb) return ca - cb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Step 8: grants pay the subtotal in order: priority (lower first), earliest expiry (none last), oldest
 * (then id, so the order is total). Grants expired at `asOf` are skipped. A grant is used in whole minor
 * units only (its remaining rounded down), so the ledger entries add up to the credits line exactly.
 */
export function consumeCredits(grants: readonly CreditGrant[], subtotal: Decimal, currency: string, asOf: Date): CreditConsumption[] {
  const usable = grants.filter((g) => g.expires_at === null || g.expires_at.getTime() > asOf.getTime());
  const uses: CreditConsumption[] = [];
  let left = subtotal;
  for (const grant of [...usable].sort(byUseOrder)) {
    if (left.lte(0)) break;
    const available = roundToMinorUnit(grant.remaining, currency, down);
    if (available.lte(0)) continue;
    const amount = Decimal.min(available, left);
    uses.push({ grant_id: grant.id, amount });
    left = left.minus(amount);
  }
  return uses;
}

export function creditsApplied(uses: readonly CreditConsumption[]): Decimal {
  return uses.reduce((sum, use) => sum.plus(use.amount), ZERO);
}
