import { usageInPlanOrder } from './usage-lines';
import { aggregate } from './test-support/aggregates';
import { plan } from './test-support/plans';

const p = plan({
  charges: [
    { name: 'premium', models: ['*opus*'] },
    { name: 'claude', models: ['*claude*'] },
    { name: 'standard', models: ['*'] },
  ],
});

describe('usageInPlanOrder', () => {
  it('gives one entry per charge with usage, in plan order', () => {
    const lines = usageInPlanOrder([aggregate('standard', '1', '1'), aggregate('premium', '2', '3')], p.charges);
    expect(lines.map((l) => l.charge.name)).toEqual(['premium', 'standard']);
  });

  it('skips a charge without events', () => {
    expect(usageInPlanOrder([aggregate('claude', '0', '0', {}, 0n)], p.charges)).toEqual([]);
  });

  it('refuses usage of a charge the plan does not have, and duplicates', () => {
    expect(() => usageInPlanOrder([aggregate('legacy', '1', '1')], p.charges)).toThrow('charge "legacy"');
    expect(() => usageInPlanOrder([aggregate('claude', '1', '1'), aggregate('claude', '1', '1')], p.charges)).toThrow('two aggregates');
  });
});
