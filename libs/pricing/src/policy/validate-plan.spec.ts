import { validatePlan, type PlanError } from './validate-plan';

const standard = { name: 'standard', models: ['*'], mode: 'price', markup: '0.30', margin_floor: '0.20' };
const base = {
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

function errorsOf(input: unknown): PlanError[] {
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
    ['markup below −100%', { charges: [{ ...standard, markup: '-1.01' }] }, 'charges[0].markup', 'must be at least -1'],
    ['floor of 1', { charges: [{ ...standard, margin_floor: '1' }] }, 'charges[0].margin_floor', 'below 1'],
    ['negative floor', { charges: [{ ...standard, margin_floor: '-0.1' }] }, 'charges[0].margin_floor', 'at least 0'],
    ['no default charge', { charges: [{ ...standard, models: ['gpt-*'] }] }, 'charges[0].models', 'must match every model'],
    ['JSON number for money', { base_fee: 10 }, 'base_fee', 'not a JSON number'],
    ['exponent notation', { included_usage: '1e3' }, 'included_usage', 'decimal string'],
    ['negative amount', { minimum_commitment: '-5' }, 'minimum_commitment', 'must not be negative'],
    ['finer than the currency', { base_fee: '9.999' }, 'base_fee', 'at most 2 decimal places'],
    ['unknown currency', { currency: 'usd' }, 'currency', 'ISO 4217'],
    ['unknown field', { markup: '0.3' }, 'markup', 'not a known field'],
    ['bad code', { code: 'pro plan' }, 'code', 'letters, digits'],
    ['missing name', { name: undefined }, 'name', 'is required'],
    ['bad interval', { interval: 'day' }, 'interval', 'must be one of'],
    ['fractional grace', { grace_period_hours: 1.5 }, 'grace_period_hours', 'integer'],
    ['bad cost source', { cost_source: 'guess' }, 'cost_source', 'must be one of'],
    ['no charges', { charges: [] }, 'charges', 'non-empty array'],
    ['duplicate names', { charges: [standard, standard] }, 'charges[1].name', 'duplicate charge name "standard"'],
    ['empty pattern', { charges: [{ ...standard, models: ['*', ''] }] }, 'charges[0].models[1]', 'non-empty string'],
    [
      'unknown dimension',
      { charges: [{ name: 't', models: ['*'], mode: 'token', token_prices: { input_tokens: '1', output_tokens: '2', thoughts: '1' } }] },
      'charges[0].token_prices.thoughts',
      'not a usage dimension',
    ],
    [
      'token mode without output price',
      { charges: [{ name: 't', models: ['*'], mode: 'token', token_prices: { input_tokens: '1' } }] },
      'charges[0].token_prices.output_tokens',
      'required in token mode',
    ],
    [
      'negative token price',
      { charges: [{ name: 't', models: ['*'], mode: 'token', token_prices: { input_tokens: '-1', output_tokens: '2' } }] },
      'charges[0].token_prices.input_tokens',
      'must not be negative',
    ],
    [
      'markup in token mode',
      { charges: [{ name: 't', models: ['*'], mode: 'token', markup: '0.1', token_prices: { input_tokens: '1', output_tokens: '2' } }] },
      'charges[0].markup',
      'applies only to charges with "mode": "price"',
    ],
    ['token prices in price mode', { charges: [{ ...standard, token_prices: { input_tokens: '1' } }] }, 'charges[0].token_prices', 'applies only'],
    ['more than 30 decimal places', { charges: [{ ...standard, markup: '0.' + '1'.repeat(31) }] }, 'charges[0].markup', 'at most 30 decimal places'],
    ['not a boolean', { charges: [{ ...standard, allowance_eligible: 'yes' }] }, 'charges[0].allowance_eligible', 'true or false'],
  ])('refuses %s', (_label, change, path, message) => {
    const errors = errorsOf({ ...base, ...change });
    expect(errors).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('accepts a markup of exactly −100% (free) and a floor of 0 (never below cost)', () => {
    expect(validatePlan({ ...base, charges: [{ ...standard, markup: '-1', margin_floor: '0' }] }).ok).toBe(true);
  });

  it('reports every problem at once', () => {
    const errors = errorsOf({ ...base, currency: 'XXX', base_fee: 5, charges: [{ ...standard, markup: '-2', models: ['a'] }] });
    expect(errors.map((e) => e.path)).toEqual(['currency', 'base_fee', 'charges[0].markup', 'charges[0].models']);
  });

  it('refuses what is not an object', () => {
    expect(errorsOf([base])).toEqual([{ path: '', message: 'plan must be a JSON object' }]);
    expect(errorsOf({ ...base, charges: ['standard'] })).toContainEqual({ path: 'charges[0]', message: 'must be an object' });
  });

  it('bounds plan amounts by the currency exponent (JPY has none)', () => {
    expect(errorsOf({ ...base, currency: 'JPY', included_usage: '20.5' })).toContainEqual({
      path: 'included_usage',
      message: 'must have at most 0 decimal places',
    });
  });
});
