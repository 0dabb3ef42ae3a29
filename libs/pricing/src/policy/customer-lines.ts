import { ZERO, type Decimal } from '@tollgate/money';
import type { LineDetail } from './plan';

/** What the rule needs of a line (an invoice line as stored, computed or pushed). */
export interface LineForCustomer {
  readonly type: string;
  readonly description: string;
  readonly amount: Decimal;
}

/** A line as the customer sees it: one of ours, or several usage lines shown as one. */
export interface CustomerLine<L extends LineForCustomer> {
  /** The line it stands for (the first of those it merges): its id, type and position. */
  readonly line: L;
  readonly description: string;
  /** Σ the merged lines' amounts, each rounded already: the lines still add up to the invoice's total. */
  readonly amount: Decimal;
  readonly merged: readonly L[];
}

const SUMMARY_DESCRIPTIONS: Readonly<Record<string, string>> = { usage: 'Usage', late_usage: 'Late usage' };

/**
 * The plan's `customer_line_detail` (docs/design.md, "The customer portal"): "per_charge" shows every line as
 * it is; "summary" shows the period's usage lines as one "Usage" line (and late usage as one "Late usage"
 * line) where the first of them stood. The same for the portal, the PDF and the Stripe invoice. Presentation
 * only: amounts are the lines' rounded amounts, summed, so nothing is rounded again and totals do not move.
 */
export function customerLines<L extends LineForCustomer>(lines: readonly L[], detail: LineDetail): CustomerLine<L>[] {
  if (detail === 'per_charge') return lines.map((line) => ({ line, description: line.description, amount: line.amount, merged: [line] }));
  const out: { line: L; description: string; amount: Decimal; merged: L[] }[] = [];
  const groups = new Map<string, (typeof out)[number]>();
  for (const line of lines) {
    const summary = SUMMARY_DESCRIPTIONS[line.type];
    const group = summary === undefined ? undefined : groups.get(line.type);
    if (group) {
      group.amount = group.amount.plus(line.amount);
      group.merged.push(line);
      continue;
    }
    const entry = { line, description: summary ?? line.description, amount: ZERO.plus(line.amount), merged: [line] };
    if (summary !== undefined) groups.set(line.type, entry);
    out.push(entry);
  }
  return out;
}
