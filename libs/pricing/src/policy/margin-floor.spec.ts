import fc from 'fast-check';
import { Decimal } from '@tollgate/money';
import { applyMarginFloor } from './margin-floor';
import { cmp, div, fromDecimal, rational, sub } from './test-support/rational';

const d = (s: string) => new Decimal(s);

describe('applyMarginFloor', () => {
  it('lifts a line below cost / (1 − f) and says so', () => {
    const r = applyMarginFloor(d('10'), d('9'), d('0.2'));
    expect([r.amount.toFixed(), r.floorApplied]).toEqual(['11.25', true]);
  });

  it('leaves a line at or above the floor untouched, and does not flag equality', () => {
    expect(applyMarginFloor(d('12'), d('9'), d('0.2'))).toEqual({ amount: d('12'), floorApplied: false });
    expect(applyMarginFloor(d('11.25'), d('9'), d('0.2'))).toEqual({ amount: d('11.25'), floorApplied: false });
  });

  it('with no floor does nothing; with floor 0 the line never goes below cost', () => {
    expect(applyMarginFloor(d('0'), d('9'), null)).toEqual({ amount: d('0'), floorApplied: false });
    expect(applyMarginFloor(d('0'), d('9'), d('0'))).toEqual({ amount: d('9'), floorApplied: true });
  });

  it('never undershoots a non-terminating floor', () => {
    const r = applyMarginFloor(d('0'), d('1'), d('0.3'));
    expect(r.amount.times('0.7').gte(1)).toBe(true);
  });

  it('property: amount = max(discounted, cost/(1−f)) exactly when that terminates, and never below it', () => {
    const dec = (maxScale: number) =>
      fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 0, max: maxScale })).map(([n, s]) => {
        const t = n.toString().padStart(s + 1, '0');
        return s === 0 ? t : `${t.slice(0, -s)}.${t.slice(-s)}`;
      });
    const floor = fc.integer({ min: 0, max: 9999 }).map((n) => `0.${n.toString().padStart(4, '0')}`);
    fc.assert(
      fc.property(dec(12), dec(12), floor, (discounted, cost, f) => {
        const r = applyMarginFloor(d(discounted), d(cost), d(f));
        const bound = div(fromDecimal(cost), sub(rational(1n), fromDecimal(f)));
        const amount = fromDecimal(r.amount.toFixed());
        expect(cmp(amount, bound)).toBeGreaterThanOrEqual(0);
        expect(cmp(amount, fromDecimal(discounted))).toBeGreaterThanOrEqual(0);
        expect(r.floorApplied).toBe(cmp(bound, fromDecimal(discounted)) > 0);
        if (!r.floorApplied) expect(r.amount.eq(discounted)).toBe(true);
        // Above the exact bound by less than one unit in the 100th significant digit.
        else expect(cmp(sub(amount, bound), rational(1n, 10n ** 80n))).toBeLessThan(0);
      }),
    );
  });
});
