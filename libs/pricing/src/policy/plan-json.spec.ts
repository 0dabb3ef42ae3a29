import { planToJson } from './plan-json';
import { validatePlan, type PlanInput } from './validate-plan';

describe('planToJson', () => {
  it('round-trips through validatePlan', () => {
    const input: PlanInput = {
      code: 'mix',
      name: 'Mix',
      currency: 'EUR',
      interval: 'year',
      base_fee: '99.00',
      included_usage: '0',
      minimum_commitment: '500',
      grace_period_hours: 24,
      requires_approval: true,
      cost_source: 'reported',
      charges: [
        {
          name: 'tok',
          models: ['claude-*'],
          mode: 'token',
          token_prices: { input_tokens: '3.00', output_tokens: '15' },
          margin_floor: '0.1',
          allowance_eligible: false,
        },
        {
          name: 'rest',
          models: ['*'],
          mode: 'price',
          markup: '0.000000000000000000000000000001',
          margin_floor: null,
          allowance_eligible: true,
        },
      ],
    };
    const first = validatePlan(input);
    if (!first.ok) throw new Error(JSON.stringify(first.errors));
    const json = planToJson(first.plan);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json.charges[1].markup).toBe('0.000000000000000000000000000001');
    expect(json.base_fee).toBe('99');
    const second = validatePlan(json);
    if (!second.ok) throw new Error(JSON.stringify(second.errors));
    expect(planToJson(second.plan)).toEqual(json);
  });
});
