import type { AttributionLineRow, MarginCellRow } from '@tollgate/db';
import { Decimal } from '@tollgate/money';
import { attributeRevenue } from './attribute-revenue';
import { marginOf, marginStrings, milliString } from './get-margin-report';

// The margin report's integer arithmetic gives exactly what the decimal arithmetic (marginOf) gives.

describe('marginStrings', () => {
  it('equals marginOf on the decimals, signs, zeros and half-way points included', () => {
    const costs = [
      '0',
      '5.8',
      '2',
      '9.95',
      '0.000000000000000000000000000001',
      '123456789.123456789012345678901234567890'.slice(0, 40),
      '1.005',
      '-0.5',
    ];
    const revenues = [0n, 16200n, 9950n, 1n, -2500n, 5800n, 100n, 995n, 123456789123n, -1n];
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647);
    for (let i = 0; i < 200; i++) {
      costs.push(`${random() % 1000}.${String(random()).padStart(10, '0')}${String(random() % 1000).padStart(3, '0')}`);
      revenues.push(BigInt(random() % 2_000_000) - 200_000n);
    }
    for (const cost of costs)
      for (const revenue of revenues) {
        const { margin, marginPct } = marginOf({ providerCost: new Decimal(cost), revenue: new Decimal(milliString(revenue)) });
        expect([cost, revenue, marginStrings(cost, revenue)]).toEqual([
          cost,
          revenue,
          { margin: margin.toFixed(), marginPct: marginPct === null ? null : marginPct.toFixed(2) },
        ]);
      }
  });

  it('writes thousandths as Decimal#toFixed() does', () => {
    expect([0n, 16200n, 9950n, 1n, -2500n, -1n, 1000n].map(milliString)).toEqual(['0', '16.2', '9.95', '0.001', '-2.5', '-0.001', '1']);
  });
});

describe('attributeRevenue', () => {
  const cell = (keys: string[], rated: string, inRange = true): MarginCellRow => ({
    customer_id: 'c',
    period_start: '2026-11-01 00:00:00+00',
    charge: 'all',
    in_range: inRange,
    keys: inRange ? keys : [],
    rated_amount: rated,
  });
  const line = (position: number, type: string, amount: string): AttributionLineRow => ({
    invoice_id: 'i',
    customer_id: 'c',
    external_customer_id: 'acme',
    currency: 'USD',
    invoice_in_range: true,
    invoice_period_start: '2026-11-01 00:00:00+00',
    position,
    type,
    charge: type === 'usage' ? 'all' : null,
    period_start: type === 'usage' ? '2026-11-01 00:00:00+00' : null,
    amount,
    allowance_eligible: false,
  });

  it('splits a line the same whatever order the cells come in (ties to the first in a fixed order)', () => {
    // 1.02 over four equal weights (one outside the range): two cents left over, to the first two cells in range by
    // keys (a, b), whatever the row order.
    const cells = [cell(['b'], '1'), cell(['a'], '1'), cell([], '1', false), cell(['c'], '1')];
    const lines = [line(0, 'usage', '1.02'), line(1, 'base_fee', '5.00')];
    const orders = [cells, [...cells].reverse(), [cells[2], cells[3], cells[0], cells[1]]];
    const results = orders.map((o) => [...attributeRevenue(o, lines, ['model']).revenue].sort());
    expect(results[0]).toEqual(
      [
        ['a', 260n],
        ['b', 260n],
        ['c', 250n],
        ['\u0001', 5000n],
      ].sort(),
    );
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });
});
