import type { Decimal } from '@tollgate/money';

/** What a wallet's alerts know: the top-up rule's amount, whether each alert is armed, whether credit is its business. */
export interface LevelState {
  /** The top-up rule's amount (null: no rule). */
  readonly below: Decimal | null;
  readonly lowArmed: boolean;
  readonly exhaustedArmed: boolean;
  /** The customer is on a prepaid plan, has had a grant, or has a top-up rule: running out of credit is news. */
  readonly usesCredit: boolean;
}

export type LevelChange = 'cross' | 'rearm' | null;

/**
 * Crossings of a wallet's levels (docs/design.md "Credits"). Falling under the rule's amount while armed is a
 * crossing (a top-up and `credits.balance_low`, then disarmed); being at or above it again re-arms. Likewise an
 * ongoing balance at or below zero (`credits.exhausted`), re-armed above zero. So each crossing acts once, however
 * often the balance is looked at while it stays low.
 */
export function levelChanges(state: LevelState, ongoingBalance: Decimal): { low: LevelChange; exhausted: LevelChange } {
  let low: LevelChange = null;
  if (state.below !== null) {
    if (ongoingBalance.lt(state.below) && state.lowArmed) low = 'cross';
    else if (ongoingBalance.gte(state.below) && !state.lowArmed) low = 'rearm';
  }
  let exhausted: LevelChange = null;
  if (ongoingBalance.lte(0) && state.exhaustedArmed && state.usesCredit) exhausted = 'cross';
  else if (ongoingBalance.gt(0) && !state.exhaustedArmed) exhausted = 'rearm';
  return { low, exhausted };
}
