import { Decimal } from '@tollgate/money';

/** Our invoice as the push compares it: amounts rounded to the minor unit, as stored. */
export interface OurInvoice {
  currency: string;
  total: Decimal;
  lines: { id: string; position: number; description: string; amount: Decimal }[];
}

/** Stripe's invoice as the gateway reads it (libs/stripe: every line, amounts as exact Decimals). */
export interface TheirInvoice {
  currency: string;
  total: Decimal;
  lines: { id: string; amount: Decimal; description: string | null; tollgateLineId: string | null }[];
}

/**
 * Every difference between Stripe's invoice and ours, to the cent and line by line (by our line id in the Stripe
 * line's metadata): a line missing, extra, of another amount or description, another currency or total. Empty when
 * they agree. The push never finalizes an invoice this finds a difference in.
 */
export function differences(ours: OurInvoice, theirs: TheirInvoice): string[] {
  const problems: string[] = [];
  if (ours.currency !== theirs.currency) problems.push(`currency: Stripe ${theirs.currency}, ours ${ours.currency}`);
  const sum = ours.lines.reduce((s, l) => s.plus(l.amount), new Decimal(0));
  if (!sum.equals(ours.total)) problems.push(`our lines add up to ${sum.toFixed()}, our total is ${ours.total.toFixed()}`);
  const unmatched = [...theirs.lines];
  for (const line of ours.lines) {
    const at = unmatched.findIndex((l) => l.tollgateLineId === line.id);
    const their = at < 0 ? undefined : unmatched.splice(at, 1)[0];
    const name = `line ${line.position + 1} ("${line.description}")`;
    if (!their) problems.push(`${name} is missing on Stripe`);
    else {
      if (!their.amount.equals(line.amount)) problems.push(`${name}: Stripe ${their.amount.toFixed()}, ours ${line.amount.toFixed()}`);
      if (their.description !== line.description) problems.push(`${name}: Stripe's description is "${their.description ?? ''}"`);
    }
  }
  for (const extra of unmatched)
    problems.push(`Stripe has a line we do not: ${extra.id} ("${extra.description ?? ''}", ${extra.amount.toFixed()})`);
  if (!theirs.total.equals(ours.total)) problems.push(`total: Stripe ${theirs.total.toFixed()}, ours ${ours.total.toFixed()}`);
  return problems;
}
