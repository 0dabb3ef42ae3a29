import { validatePlan, type PlanError, type PlanInput } from './validate-plan';

const standard = { name: 'standard', models: ['*'], mode: 'price', markup: '0.30', margin_floor: '0.20' } as const;
const base: PlanInput = {
  code: 'pro',
  name: 'Pro',
  currency: 'USD',
  interval: 'month',
  base_fee: '0',
  included_usage: '20.00',
  minimum_commitment: '0',
  grace_period_hours: 1,
  requires_approval: false,
  charges: [
    { name: 'premium', models: ['*o3*', '*opus*'], mode: 'price', markup: '0.50', margin_floor: '0.30', allowance_eligible: false },
    standard,
  ],
};

function errorsOf(input: PlanInput): PlanError[] {
  const result = validatePlan(input);
  if (result.ok) throw new Error('expected the plan to be refused');
  return result.errors;
}

describe('validatePlan', () => {
  it('accepts the docs/api.md example with exact decimals and defaults', () => {
    const result = validatePlan(base);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { plan } = result;
    expect(plan.included_usage.toFixed(2)).toBe('20.00');
    expect(plan.cost_source).toBe('rate_card');
    expect(plan.charges.map((c) => c.name)).toEqual(['premium', 'standard']);
    expect(plan.charges[0].markup.toFixed()).toBe('0.5');
    expect(plan.charges[0].allowance_eligible).toBe(false);
    expect(plan.charges[1].allowance_eligible).toBe(true);
    expect(plan.charges[1].margin_floor?.toFixed()).toBe('0.2');
  });

  it('accepts a token-mode charge and treats null as absent', () => {
    const result = validatePlan({
      ...base,
      base_fee: null,
      charges: [{ name: 'all', models: ['*'], mode: 'token', token_prices: { input_tokens: '3.00', output_tokens: '15', images: null } }],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plan.base_fee.isZero()).toBe(true);
    expect(result.plan.charges[0].margin_floor).toBeNull();
    expect(Object.keys(result.plan.charges[0].token_prices)).toEqual(['input_tokens', 'output_tokens']);
  });

  it.each([
    ['no default charge', { charges: [{ ...standard, models: ['gpt-*'] }] }, 'charges[0].models', 'must match every model'],
    ['finer than the currency', { base_fee: '9.999' }, 'base_fee', 'at most 2 decimal places'],
    ['duplicate names', { charges: [standard, standard] }, 'charges[1].name', 'duplicate charge name "standard"'],
    [
      'token mode without output price',
      { charges: [{ name: 't', models: ['*'], mode: 'token', token_prices: { input_tokens: '1' } }] },
      'charges[0].token_prices.output_tokens',
      'required in token mode',
    ],
    [
      'markup in token mode',
      { charges: [{ name: 't', models: ['*'], mode: 'token', markup: '0.1', token_prices: { input_tokens: '1', output_tokens: '2' } }] },
      'charges[0].markup',
      'applies only to charges with "mode": "price"',
    ],
    [
      'token prices in price mode',
      { charges: [{ ...standard, token_prices: { input_tokens: '1' } }] },
      'charges[0].token_prices',
      'applies only',
    ],
  ] as [string, Partial<PlanInput>, string, string][])('refuses %s', (_label, change, path, message) => {
    const errors = errorsOf({ ...base, ...change });
    expect(errors).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('reports every problem at once', () => {
    const errors = errorsOf({
      ...base,
      base_fee: '0.001',
      charges: [
        { ...standard, mode: 'token' },
        { ...standard, models: ['a'] },
      ],
    });
    expect(errors.map((e) => e.path)).toEqual([
      'base_fee',
      'charges[0].markup',
      'charges[0].token_prices.input_tokens',
      'charges[0].token_prices.output_tokens',
      'charges[1].name',
      'charges[1].models',
    ]);
  });

  it('bounds plan amounts by the currency exponent (JPY has none)', () => {
    expect(errorsOf({ ...base, currency: 'JPY', included_usage: '20.5' })).toContainEqual({
      path: 'included_usage',
      message: 'must have at most 0 decimal places (JPY)',
    });
  });
});
