import { lateUsageInOrder } from './late-usage';
import { aggregate } from './test-support/aggregates';
import { plan } from './test-support/plans';

const v1 = plan({
  charges: [
    { name: 'a', models: ['x*'] },
    { name: 'b', models: ['*'] },
  ],
});
const v2 = plan({ charges: [{ name: 'b', models: ['*'] }] });

describe('lateUsageInOrder', () => {
  it('orders by period (oldest first), then by the charge order of the plan that priced them', () => {
    const lines = lateUsageInOrder(
      [
        { period_start: new Date('2026-10-01T00:00:00Z'), plan: v2, usage: [aggregate('b', '1', '1')] },
        { period_start: new Date('2026-09-01T00:00:00Z'), plan: v1, usage: [aggregate('b', '1', '1'), aggregate('a', '1', '1')] },
      ],
      'USD',
    );
    expect(lines.map((l) => [l.periodStart.toISOString().slice(0, 7), l.charge.name])).toEqual([
      ['2026-09', 'a'],
      ['2026-09', 'b'],
      ['2026-10', 'b'],
    ]);
  });

  it('refuses usage in another currency', () => {
    const eur = plan({ currency: 'EUR', charges: [{ name: 'b', models: ['*'] }] });
    expect(() => lateUsageInOrder([{ period_start: new Date(), plan: eur, usage: [] }], 'USD')).toThrow('EUR');
  });
});
