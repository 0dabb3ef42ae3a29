import { exact } from '@tollgate/pricing';
import type { RateCard } from '../rate-card';
import { diffCards } from './diff';
import { syncVerdict } from './verdict';

const card = (model: string, input: string, output = '0.00001', tierInput?: string): RateCard => ({
  provider: 'openrouter',
  model,
  source: 'openrouter',
  prices: { input_tokens: exact(input), output_tokens: exact(output) },
  tiers: tierInput ? [{ minPromptTokens: 200000n, prices: { input_tokens: exact(tierInput) } }] : [],
});

const tenModels = Array.from({ length: 10 }, (_, i) => card(`m${i}`, '0.000001'));

describe('diffCards and syncVerdict', () => {
  it('finds nothing to do when prices are equal, however written', () => {
    const same = tenModels.map((c) => ({ ...c, prices: { ...c.prices, input_tokens: exact('1e-6') } }));
    const diff = diffCards(tenModels, same);
    expect(diff.unchanged).toBe(10);
    expect(syncVerdict(diff, 10)).toEqual({ outcome: 'unchanged' });
  });

  it('applies additions, modest changes and removals up to 20%', () => {
    const fresh = [...tenModels.slice(2), card('m0', '0.00001'), card('new', '0.000002')];
    // m0 moved exactly 10× (not more), m1 removed (1 of 10 = 10%), one added.
    const diff = diffCards(tenModels, fresh);
    expect(diff.added.map((c) => c.model)).toEqual(['new']);
    expect(diff.changed.map((c) => c.after.model)).toEqual(['m0']);
    expect(diff.removed.map((c) => c.model)).toEqual(['m1']);
    expect(syncVerdict(diff, 10).outcome).toBe('applied');
  });

  it('holds a sync that removes more than 20% of the models', () => {
    const verdict = syncVerdict(diffCards(tenModels, tenModels.slice(3)), 10);
    expect(verdict.outcome).toBe('held');
    expect(verdict.outcome === 'held' && verdict.reasons[0]).toContain('would remove 3 of 10');
    expect(syncVerdict(diffCards(tenModels, tenModels.slice(2)), 10).outcome).toBe('applied');
  });

  it('holds a tenfold-plus move up or down, in base or tier prices, and 0 <-> non-zero', () => {
    const up = syncVerdict(diffCards([card('a', '0.000001')], [card('a', '0.0000100001')]), 1);
    expect(up.outcome).toBe('held');
    expect(syncVerdict(diffCards([card('a', '0.000001')], [card('a', '0.000000099')]), 1).outcome).toBe('held');
    expect(syncVerdict(diffCards([card('a', '0')], [card('a', '0.000001')]), 1).outcome).toBe('held');
    const tier = syncVerdict(diffCards([card('a', '0.000001', '0.00001', '0.000002')], [card('a', '0.000001', '0.00001', '0.00003')]), 1);
    expect(tier.outcome === 'held' && tier.priceMoves).toEqual([
      { provider: 'openrouter', model: 'a', price: 'input_tokens@200000', before: '0.000002', after: '0.00003' },
    ]);
  });
});
