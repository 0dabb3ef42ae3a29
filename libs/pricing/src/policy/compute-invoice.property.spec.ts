import fc from 'fast-check';
import { Decimal } from '@tollgate/money';
import { computeInvoice, type InvoiceInput } from './compute-invoice';
import type { Coupon } from './coupon';
import type { CreditGrant } from './credits';
import { aggregate } from './test-support/aggregates';
import { plan } from './test-support/plans';
import { add, cmp, div, fromDecimal, max, mul, rational, roundHalfAwayFromZero, sub } from './test-support/rational';

/** A non-negative decimal string with up to `scale` places. */
const decimal = (maxUnits: bigint, scale: number) =>
  fc.tuple(fc.bigInt({ min: 0n, max: maxUnits }), fc.integer({ min: 0, max: scale })).map(([n, s]) => {
    const t = n.toString().padStart(s + 1, '0');
    return s === 0 ? t : `${t.slice(0, -s)}.${t.slice(-s)}`;
  });
const fraction = fc.integer({ min: 0, max: 9999 }).map((n) => `0.${n.toString().padStart(4, '0')}`);
const money = decimal(100_000n, 2);

const charge = (name: string, models: string[]) =>
  fc.record({
    name: fc.constant(name),
    models: fc.constant(models),
    markup: fc.constant('0.3'),
    margin_floor: fc.option(fraction, { nil: null }),
    allowance_eligible: fc.boolean(),
  });
const planInput = fc.record({
  base_fee: money,
  included_usage: money,
  minimum_commitment: money,
  charges: fc.tuple(charge('premium', ['*opus*']), charge('flat', ['gpt-*']), charge('standard', ['*'])),
});
const usageOf = (names: string[]) =>
  fc
    .subarray(names)
    .chain((chosen) =>
      fc.tuple(
        ...chosen.map((name) =>
          fc.tuple(decimal(10n ** 14n, 12), decimal(10n ** 14n, 12)).map(([cost, rated]) => aggregate(name, cost, rated)),
        ),
      ),
    );
const coupon: fc.Arbitrary<Coupon> = fc.oneof(
  fc.record({ id: fc.uuid(), kind: fc.constant('fixed' as const), amount: money.map((m) => new Decimal(m)) }),
  fc.record({ id: fc.uuid(), kind: fc.constant('percentage' as const), percent: decimal(10_000n, 2).map((p) => Decimal.min(p, 100)) }),
);
const grant: fc.Arbitrary<CreditGrant> = fc.record({
  id: fc.uuid(),
  remaining: decimal(10n ** 8n, 4).map((r) => new Decimal(r)),
  priority: fc.integer({ min: 0, max: 3 }),
  expires_at: fc.option(fc.date({ min: new Date('2026-01-01'), max: new Date('2027-01-01'), noInvalidDate: true }), { nil: null }),
  created_at: fc.date({ min: new Date('2025-01-01'), max: new Date('2026-01-01'), noInvalidDate: true }),
});
const names = ['premium', 'flat', 'standard'];

const invoiceInput: fc.Arbitrary<InvoiceInput> = fc
  .record({
    planInput,
    usage: usageOf(names),
    late: usageOf(names),
    discount: fraction,
    coupons: fc.array(coupon, { maxLength: 2 }),
    grants: fc.array(grant, { maxLength: 3 }),
  })
  .map(({ planInput: p, usage, late, discount, coupons, grants }) => {
    const thePlan = plan(p);
    return {
      plan: thePlan,
      usage,
      late_usage: late.length === 0 ? [] : [{ period_start: new Date('2026-09-01T00:00:00Z'), plan: thePlan, usage: late }],
      discount: new Decimal(discount),
      coupons,
      grants,
      as_of: new Date('2026-06-01T00:00:00Z'),
    };
  });

const r = (x: Decimal) => fromDecimal(x.toFixed());
const ONE = rational(1n);

describe('computeInvoice properties', () => {
  it('lines add up: Σ lines before credits = subtotal, total = subtotal − credits_applied ≥ 0', () => {
    fc.assert(
      fc.property(invoiceInput, (input) => {
        const invoice = computeInvoice(input);
        const beforeCredits = invoice.lines.filter((l) => l.type !== 'credits');
        const sumOf = (lines: typeof invoice.lines) => lines.reduce((s, l) => add(s, r(l.amount)), rational(0n));
        expect(cmp(sumOf(beforeCredits), r(invoice.subtotal))).toBe(0);
        expect(cmp(sumOf(invoice.lines), r(invoice.total))).toBe(0);
        expect(invoice.total.eq(invoice.subtotal.minus(invoice.credits_applied))).toBe(true);
        expect(invoice.total.gte(0)).toBe(true);
        const consumed = invoice.credit_consumption.reduce((s, c) => s.plus(c.amount), new Decimal(0));
        expect(consumed.eq(invoice.credits_applied)).toBe(true);
        // Coupons never take the running sum below zero.
        let running = rational(0n);
        for (const line of beforeCredits) {
          running = add(running, r(line.amount));
          if (line.type === 'coupon') expect(cmp(running, rational(0n))).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('every line is its exact precise amount rounded half away from zero to cents', () => {
    fc.assert(
      fc.property(invoiceInput, (input) => {
        for (const line of computeInvoice(input).lines) {
          expect(line.amount.decimalPlaces()).toBeLessThanOrEqual(2);
          expect(line.amount.toFixed(2)).toBe(roundHalfAwayFromZero(r(line.amount_precise), 2));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('usage lines equal the exact rational rule, and a floored line is never below cost/(1−f) rounded', () => {
    fc.assert(
      fc.property(invoiceInput, (input) => {
        const invoice = computeInvoice(input);
        for (const line of invoice.lines.filter((l) => l.type === 'usage' || l.type === 'late_usage')) {
          const charge = input.plan.charges.find((c) => c.name === line.charge)!;
          const discounted = mul(r(line.usage!.rated_amount), sub(ONE, r(input.discount)));
          const floor = charge.margin_floor === null ? null : div(r(line.provider_cost!), sub(ONE, r(charge.margin_floor)));
          const exact = floor === null ? discounted : max(discounted, floor);
          // Exact arithmetic: no float drift, no intermediate rounding.
          expect(line.amount.toFixed(2)).toBe(roundHalfAwayFromZero(exact, 2));
          expect(line.floor_applied).toBe(floor !== null && cmp(floor, discounted) > 0);
          if (floor !== null) {
            // The precise property: the rounded line is at least the floor value rounded by the same rule,
            // and its unrounded amount is at least the floor itself (it may sit up to half a cent below it
            // only after rounding).
            expect(cmp(r(line.amount), fromDecimal(roundHalfAwayFromZero(floor, 2)))).toBeGreaterThanOrEqual(0);
            expect(cmp(r(line.amount_precise), floor)).toBeGreaterThanOrEqual(0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
