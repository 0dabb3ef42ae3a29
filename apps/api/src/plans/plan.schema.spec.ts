import { problemsOf } from '../common/schema/problems';
import { CreatePlanRequest, UpdatePlanRequest } from './plan.schema';

// The shape of a plan; how its fields fit together is libs/pricing's validatePlan (its own spec).

const standard = { name: 'standard', models: ['*'], mode: 'price', markup: '0.30', margin_floor: '0.20' };
const token = { name: 't', models: ['*'], mode: 'token', token_prices: { input_tokens: '3', output_tokens: '15' } };
const base = { code: 'pro', name: 'Pro', currency: 'USD', included_usage: '20.00', charges: [standard] };

function problems(input: unknown) {
  const r = CreatePlanRequest.safeParse(input);
  return r.success ? [] : problemsOf(r.error.issues);
}

describe('the plan request schema', () => {
  it('accepts the documented example, a markup of −100% (free) and a floor of 0 (never below cost)', () => {
    expect(problems(base)).toEqual([]);
    expect(problems({ ...base, charges: [{ ...standard, markup: '-1', margin_floor: '0' }] })).toEqual([]);
    expect(problems({ ...base, charges: [token] })).toEqual([]);
  });

  it.each([
    ['markup below −100%', { charges: [{ ...standard, markup: '-1.01' }] }, 'charges[0].markup', 'must be at least -1'],
    [
      'markup above +100,000%',
      { charges: [{ ...standard, markup: '1000.000000000000000000000000000001' }] },
      'charges[0].markup',
      'must be at most 1000',
    ],
    ['floor above 0.999', { charges: [{ ...standard, margin_floor: '0.9991' }] }, 'charges[0].margin_floor', 'must be at most 0.999'],
    ['negative floor', { charges: [{ ...standard, margin_floor: '-0.1' }] }, 'charges[0].margin_floor', 'at least 0'],
    ['JSON number for money', { base_fee: 10 }, 'base_fee', 'not a JSON number'],
    ['exponent notation', { included_usage: '1e3' }, 'included_usage', 'decimal string'],
    ['negative amount', { minimum_commitment: '-5' }, 'minimum_commitment', 'must be at least 0'],
    ['36 integer digits', { minimum_commitment: '1'.repeat(36) }, 'minimum_commitment', 'at most 20 digits before'],
    ['unknown currency', { currency: 'usd' }, 'currency', 'must be one of'],
    ['unknown field', { markup: '0.3' }, 'markup', 'is not a known field'],
    ['bad code', { code: 'pro plan' }, 'code', 'letters, digits'],
    ['missing name', { name: undefined }, 'name', 'is required'],
    ['name with a lone surrogate', { name: 'Pro \ud83d' }, 'name', 'lone UTF-16 surrogate'],
    ['name with U+0000', { name: 'Pro\u0000' }, 'name', 'U+0000'],
    ['bad interval', { interval: 'day' }, 'interval', 'must be one of'],
    ['fractional grace', { grace_period_hours: 1.5 }, 'grace_period_hours', 'integer'],
    ['bad cost source', { cost_source: 'guess' }, 'cost_source', 'must be one of'],
    ['no charges', { charges: [] }, 'charges', 'array of 1 to 100 charges'],
    ['a charge that is not an object', { charges: ['standard'] }, 'charges[0]', 'must be an object'],
    ['empty pattern', { charges: [{ ...standard, models: ['*', ''] }] }, 'charges[0].models[1]', 'must not be empty'],
    [
      'unknown dimension',
      { charges: [{ ...token, token_prices: { ...token.token_prices, thoughts: '1' } }] },
      'charges[0].token_prices.thoughts',
      'is not a known field',
    ],
    [
      'negative token price',
      { charges: [{ ...token, token_prices: { input_tokens: '-1', output_tokens: '2' } }] },
      'charges[0].token_prices.input_tokens',
      'must be at least 0',
    ],
    [
      'token price above 10^6',
      { charges: [{ ...token, token_prices: { input_tokens: '1000000.1', output_tokens: '2' } }] },
      'charges[0].token_prices.input_tokens',
      'at most 1000000',
    ],
    [
      'token price finer than 24 places',
      { charges: [{ ...token, token_prices: { input_tokens: '0.' + '1'.repeat(25), output_tokens: '2' } }] },
      'charges[0].token_prices.input_tokens',
      'at most 24 decimal places',
    ],
    [
      'more than 30 decimal places',
      { charges: [{ ...standard, markup: '0.' + '1'.repeat(31) }] },
      'charges[0].markup',
      'at most 30 decimal places',
    ],
    ['not a boolean', { charges: [{ ...standard, allowance_eligible: 'yes' }] }, 'charges[0].allowance_eligible', 'true or false'],
  ])('refuses %s', (_label, change, field, message) => {
    expect(problems({ ...base, ...change })).toContainEqual({ field, message: expect.stringContaining(message) });
  });

  it('reports every problem of its shape at once', () => {
    const found = problems({ ...base, currency: 'XXX', base_fee: 5, colour: 'red', charges: [{ ...standard, markup: '-2', models: [] }] });
    expect(found.map((p) => p.field).sort()).toEqual(['base_fee', 'charges[0].markup', 'charges[0].models', 'colour', 'currency']);
  });

  it('refuses what is not an object', () => {
    expect(problems([base])).toEqual([{ field: '', message: 'must be an object' }]);
  });

  it('takes the same plan and an effective_from on PUT, whose code may be left out', () => {
    const { code: _code, ...rest } = base;
    const r = UpdatePlanRequest.safeParse({ ...rest, effective_from: '2026-02-31T00:00:00Z' });
    expect(r.success ? [] : problemsOf(r.error.issues)).toEqual([{ field: 'effective_from', message: 'is not a calendar date' }]);
    expect(UpdatePlanRequest.parse({ ...rest, effective_from: 0 }).effective_from).toEqual(new Date(0));
  });
});
