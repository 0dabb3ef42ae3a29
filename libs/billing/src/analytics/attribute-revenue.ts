import type { AttributionLineRow, MarginCellRow } from '@tollgate/db';
import { currencyExponent } from '@tollgate/money';
import { allocate, scaledWeight } from './allocate';

// Revenue below the invoice (docs/design.md "Analytics"): every invoice's lines are taken apart into what they
// billed, in whole minor units, so that the groups of a report add up to the invoices exactly.
//  - a usage or late-usage line bills its charge's usage of its period: split over that usage pro rata to the
//    rated amount (days and keys in the range, and the rest of the period outside it);
//  - the allowance reduces the allowance-eligible usage lines in plan order (as the invoice consumed it);
//  - a coupon, then credits, reduce the lines before them pro rata to what is left of each;
//  - the base fee and the minimum commitment are the customer's alone: a group with no key but the customer.

/** Amounts are kept in thousandths of a currency unit: every currency's minor unit (exponents 0 to 3) is whole. */
export const MILLI = 3;

export interface Attribution {
  /** Revenue in thousandths per group (keys joined by GROUP_SEP), in the range only. */
  revenue: Map<string, bigint>;
  /** Every group any revenue went to, with its keys. */
  keys: Map<string, (string | null)[]>;
  /** The currencies of the invoices that contributed. */
  currencies: Set<string>;
}

export const GROUP_SEP = '\u0000';
export const groupId = (keys: readonly (string | null)[]) => keys.map((k) => (k === null ? '\u0001' : k)).join(GROUP_SEP);

/** An amount rounded to the currency's minor unit (a decimal string), in minor units. */
function minorUnits(amount: string, exp: number): bigint {
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
  if (/[1-9]/.test(fraction.slice(exp))) throw new Error(`invoice amount ${amount} is not in whole minor units`);
  const units = BigInt(whole + fraction.slice(0, exp).padEnd(exp, '0'));
  return negative ? -units : units;
}

const cellKey = (customerId: string, periodStart: string) => `${customerId}|${periodStart}`;

/** A cell an invoice line's usage is split over: its weight, and its group (null outside the range). */
interface Target {
  id: string | null;
  keys: (string | null)[];
  cell: MarginCellRow;
}

function compareTargets(a: Target, b: Target): number {
  if (a.cell.in_range !== b.cell.in_range) return a.cell.in_range ? -1 : 1;
  return compareKeys(a.keys, b.keys);
}

/** Keys in code unit order, null last. */
export function compareKeys(a: readonly (string | null)[], b: readonly (string | null)[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (a[i] === null) return 1;
    if (b[i] === null) return -1;
    return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}

/** Where one invoice's revenue goes, as splitInvoice finds it (amounts in thousandths, never 0). */
export interface InvoiceSplitSink<C> {
  /**
   * The cells of a charge in a billed period, in split order: undefined when the period has no cells at all (its
   * usage is not counted), empty when it has none of that charge.
   */
  cells(customerId: string, periodStart: string, charge: string): readonly C[] | undefined;
  weight(cell: C): bigint;
  /** A usage line's share of a cell. */
  cell(cell: C, amount: bigint): void;
  /** Billed usage of a period that has cells, but none of the line's charge (a draft's repriced period). */
  unpriced(line: AttributionLineRow, amount: bigint): void;
  /** Customer-level revenue: the base fee, the minimum commitment, what no usage line took. */
  customer(amount: bigint): void;
}

/**
 * Takes one invoice's lines (in order, at least one) apart: nets after the allowance, the coupon and credits, then
 * each usage line's net split over its cells by weight (largest remainder, ties to the earlier cell), in whole
 * minor units of the invoice's currency, given to `sink` in thousandths.
 */
export function splitInvoice<C>(invoice: readonly AttributionLineRow[], sink: InvoiceSplitSink<C>): void {
  // Shares are whole minor units of the invoice's currency, kept as thousandths.
  const exp = currencyExponent(invoice[0].currency);
  const toMilli = 10n ** BigInt(MILLI - exp);
  const nets = invoice.map((l) => minorUnits(l.amount, exp));
  invoice.forEach((line, i) => {
    if (line.type === 'allowance') {
      let left = -nets[i];
      for (let j = 0; j < i && left > 0n; j++) {
        if (invoice[j].type !== 'usage' || !invoice[j].allowance_eligible) continue;
        const take = nets[j] < left ? nets[j] : left;
        nets[j] -= take;
        left -= take;
      }
      nets[i] = left === 0n ? 0n : -left; // never left over on a consistent invoice; kept at the customer level if so
    } else if (line.type === 'coupon' || line.type === 'credits') {
      if (i === 0) return;
      const weights = nets.slice(0, i).map((n) => (n > 0n ? n : 0n));
      allocate(nets[i], weights).forEach((share, j) => (nets[j] += share));
      nets[i] = 0n;
    }
  });
  invoice.forEach((line, i) => {
    const net = nets[i];
    if (net === 0n) return;
    if ((line.type === 'usage' || line.type === 'late_usage') && line.period_start && line.charge !== null) {
      const targets = sink.cells(line.customer_id, line.period_start, line.charge);
      if (!targets) return; // usage of a period without cells (in the report: one the range does not touch)
      if (targets.length === 0) {
        // Billed usage with no priced events left (a draft's repriced period): the customer's.
        sink.unpriced(line, net * toMilli);
        return;
      }
      if (targets.length === 1) {
        sink.cell(targets[0], net * toMilli);
        return;
      }
      allocate(
        net,
        targets.map((t) => sink.weight(t)),
      ).forEach((share, j) => {
        if (share !== 0n) sink.cell(targets[j], share * toMilli);
      });
    } else {
      sink.customer(net * toMilli);
    }
  });
}

/** Where a cell is: a customer's billing period (as Postgres writes its start) and a charge. */
interface CellPlace {
  customer_id: string;
  period_start: string;
  charge: string;
}

/**
 * Cells by customer, period and charge, each charge's in `compare` order (a split's order): the lookup an
 * InvoiceSplitSink's `cells` answers with.
 */
export function indexCells<C>(
  items: readonly C[],
  placeOf: (item: C) => CellPlace,
  compare: (a: C, b: C) => number,
): InvoiceSplitSink<C>['cells'] {
  const byPeriod = new Map<string, Map<string, C[]>>();
  for (const item of items) {
    const place = placeOf(item);
    const k = cellKey(place.customer_id, place.period_start);
    let charges = byPeriod.get(k);
    if (!charges) byPeriod.set(k, (charges = new Map()));
    const list = charges.get(place.charge);
    if (list) list.push(item);
    else charges.set(place.charge, [item]);
  }
  for (const charges of byPeriod.values()) for (const list of charges.values()) if (list.length > 1) list.sort(compare);
  return (customerId, periodStart, charge) => {
    const charges = byPeriod.get(cellKey(customerId, periodStart));
    return charges && (charges.get(charge) ?? []);
  };
}

/** Calls `each` with every invoice's lines of `lines` (ordered by invoice). */
export function eachInvoice(lines: readonly AttributionLineRow[], each: (invoice: AttributionLineRow[]) => void): void {
  for (let start = 0; start < lines.length;) {
    let end = start + 1;
    while (end < lines.length && lines[end].invoice_id === lines[start].invoice_id) end++;
    each(lines.slice(start, end));
    start = end;
  }
}

/**
 * `dimensions` are the report's: the customer-level group carries the customer's external id under
 * `customer` and null under every other dimension.
 */
export function attributeRevenue(
  cells: readonly MarginCellRow[],
  lines: readonly AttributionLineRow[],
  dimensions: readonly string[],
): Attribution {
  // A split's remainder goes by largest remainder, ties to the earlier cell: cells in a fixed order (in the range
  // first, by keys), whatever order the rows came in.
  const cellsOf = indexCells(
    cells.map((c): Target => ({ id: c.in_range ? groupId(c.keys) : null, keys: c.keys, cell: c })),
    (t) => t.cell,
    compareTargets,
  );
  const revenue = new Map<string, bigint>();
  const keys = new Map<string, (string | null)[]>();
  const currencies = new Set<string>();
  const add = (id: string, k: (string | null)[], amount: bigint) => {
    if (amount === 0n) return;
    const had = revenue.get(id);
    if (had === undefined) {
      revenue.set(id, amount);
      if (!keys.has(id)) keys.set(id, k);
    } else revenue.set(id, had + amount);
  };
  const customerIndex = dimensions.indexOf('customer');

  eachInvoice(lines, (invoice) => {
    const first = invoice[0];
    currencies.add(first.currency);
    let customerLevel: { id: string; keys: (string | null)[] } | null = null;
    const creditCustomer = (amount: bigint) => {
      if (customerLevel === null) {
        const k = dimensions.map((_, i) => (i === customerIndex ? first.external_customer_id : null));
        customerLevel = { id: groupId(k), keys: k };
      }
      add(customerLevel.id, customerLevel.keys, amount);
    };
    splitInvoice<Target>(invoice, {
      cells: cellsOf,
      weight: (t) => scaledWeight(t.cell.rated_amount),
      cell: (t, amount) => {
        if (t.id !== null) add(t.id, t.keys, amount);
      },
      unpriced: (_line, amount) => creditCustomer(amount),
      customer: (amount) => {
        if (first.invoice_in_range) creditCustomer(amount);
      },
    });
  });
  return { revenue, keys, currencies };
}
