import { InvalidCommandError } from '../errors';
import { planDefinition } from './plan-definition';

describe('planDefinition', () => {
  it('answers the canonical plan to store', () => {
    const { definition, plan } = planDefinition({
      code: 'pro',
      name: 'Pro',
      currency: 'USD',
      interval: 'year',
      charges: [{ name: 'all', models: ['*'], mode: 'price', markup: '0.30' }],
    });
    expect(plan.interval).toBe('year');
    expect(definition).toMatchObject({ code: 'pro', interval: 'year', charges: [{ name: 'all', markup: '0.3' }] });
  });

  it('refuses an invalid plan with every field named', () => {
    let error: unknown;
    try {
      planDefinition({
        code: 'pro',
        name: 'Pro',
        currency: 'USD',
        base_fee: '10.001',
        charges: [{ name: 'a', models: ['*o3*'], mode: 'token', markup: '0.1', token_prices: { input_tokens: '1', output_tokens: '2' } }],
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidCommandError);
    const fields = (error as InvalidCommandError).details!.map((d) => d.field);
    expect(fields).toEqual(['base_fee', 'charges[0].markup', 'charges[0].models']);
    // The shape (types, formats, bounds) was checked before, by the api's plan schema.
    expect((error as InvalidCommandError).message).toMatch(/^the plan is not valid: /);
  });
});
