import { Decimal } from '@tollgate/money';
import { validatePlan, type Plan } from '@tollgate/pricing';
import { parseScenario, planWithChanges, priceFactor, RoutingPicker, ScenarioError } from './scenario';

const RANGE = { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' };

describe('routing shift picker', () => {
  it.each([
    ['0.25', 10, 2],
    ['0.5', 4, 2],
    ['1', 7, 7],
    ['0', 7, 0],
    ['0.333333', 9, 2],
  ])('share %s of %i events moves exactly ⌊n·share⌋ = %i, per customer, only of the matching model', (share, n, moved) => {
    const picker = new RoutingPicker(
      parseScenario({ ...RANGE, routing_shifts: [{ from_model: 'Big', to_provider: 'x', to_model: 'small', share }] }).shifts,
    );
    for (const customer of ['a', 'b']) {
      let count = 0;
      for (let k = 0; k < n; k++) {
        expect(picker.pick(customer, 'p', 'other')).toBeNull();
        if (picker.pick(customer, 'p', 'big') !== null) count++;
      }
      expect(count).toBe(moved);
    }
  });
});

describe('scenario', () => {
  const base = (
    validatePlan({
      code: 'b',
      name: 'B',
      currency: 'USD',
      charges: [
        { name: 't', models: ['*mini*'], mode: 'token', token_prices: { input_tokens: '1', output_tokens: '2' } },
        { name: 'all', models: ['*'], markup: '0.3', margin_floor: '0.1' },
      ],
    }) as { ok: true; plan: Plan }
  ).plan;

  it('changes markups of price-mode charges, every floor and the allowance, and refuses an allowance the currency cannot bill', () => {
    const changed = planWithChanges(
      base,
      parseScenario({ ...RANGE, plan_changes: { markup: '1', margin_floor: null, included_usage: '5.00' } }),
    );
    expect(changed.charges.map((c) => [c.name, c.markup.toFixed(), c.margin_floor])).toEqual([
      ['t', '0', null],
      ['all', '1', null],
    ]);
    expect(changed.included_usage.toFixed()).toBe('5');
    expect(planWithChanges(base, parseScenario(RANGE))).toBe(base);
    expect(() => planWithChanges(base, parseScenario({ ...RANGE, plan_changes: { included_usage: '0.001' } }))).toThrow(ScenarioError);
  });

  it('takes the first multiplier matching provider and model, case-insensitive', () => {
    const { multipliers } = parseScenario({
      ...RANGE,
      price_multipliers: [
        { provider: 'OpenAI', model: 'gpt-4o', factor: '2' },
        { provider: 'openai', factor: '3' },
      ],
    });
    expect(priceFactor(multipliers, 'openai', 'GPT-4o')).toEqual(new Decimal(2));
    expect(priceFactor(multipliers, 'openai', 'gpt-4o-mini')).toEqual(new Decimal(3));
    expect(priceFactor(multipliers, 'anthropic', 'gpt-4o')).toBeNull();
  });
});
