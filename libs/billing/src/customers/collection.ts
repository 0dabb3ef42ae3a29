import type { CollectionMethod } from '@tollgate/db';
import { InvalidCommandError } from '../errors';

/** Days until a `send_invoice` invoice is due when the operator does not say. */
export const DEFAULT_DAYS_UNTIL_DUE = 30;

export interface Collection {
  collection_method: CollectionMethod;
  days_until_due: number | null;
}

/**
 * How Stripe collects a customer's invoices after a creation (`before` null) or a change: `days_until_due` goes
 * with `send_invoice` only (30 unless given, or when cleared) and is cleared by a move to `charge_automatically`.
 * Giving it with `charge_automatically` is refused rather than silently dropped.
 */
export function collectionAfter(
  before: Collection | null,
  changes: { collection_method?: CollectionMethod; days_until_due?: number | null },
): Collection {
  const method = changes.collection_method ?? before?.collection_method ?? 'charge_automatically';
  if (method === 'charge_automatically') {
    if (changes.days_until_due !== undefined && changes.days_until_due !== null)
      throw new InvalidCommandError('days_until_due goes with collection_method "send_invoice" only', [
        { field: 'days_until_due', message: 'is only for collection_method "send_invoice"' },
      ]);
    return { collection_method: method, days_until_due: null };
  }
  const days = changes.days_until_due !== undefined ? changes.days_until_due : before?.days_until_due;
  return { collection_method: method, days_until_due: days ?? DEFAULT_DAYS_UNTIL_DUE };
}
