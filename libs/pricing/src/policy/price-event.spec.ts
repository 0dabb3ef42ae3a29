import { Decimal } from '@tollgate/money';
import { emptyUsage } from '../dimensions';
import { compileEventPricer } from './price-event';
import { plan } from './test-support/plans';

const usage = { ...emptyUsage(), input_tokens: 1000n, output_tokens: 200n, requests: 1n };

describe('compileEventPricer', () => {
  const pricer = compileEventPricer(
    plan({
      charges: [
        { name: 'premium', models: ['*opus*'], mode: 'price', markup: '0.5' },
        { name: 'flat', models: ['gpt-*'], mode: 'token', token_prices: { input_tokens: '2', output_tokens: '8' } },
        { name: 'standard', models: ['*'], mode: 'price', markup: '0.3' },
      ],
    }),
  );

  it('rates price mode on the provider cost and token mode on the tokens', () => {
    const cost = new Decimal('0.0123');
    expect(pricer({ model: 'claude-opus-4', usage, rateCardCost: cost, reportedCost: null })).toEqual({
      status: 'priced',
      charge: 'premium',
      provider_cost: cost,
      rated_amount: new Decimal('0.01845'),
    });
    const flat = pricer({ model: 'GPT-4o', usage, rateCardCost: cost, reportedCost: null });
    expect(flat.status === 'priced' && [flat.charge, flat.rated_amount.toFixed()]).toEqual(['flat', '0.0036']);
    const rest = pricer({ model: 'mistral-large', usage, rateCardCost: cost, reportedCost: null });
    expect(rest.status === 'priced' && [rest.charge, rest.rated_amount.toFixed()]).toEqual(['standard', '0.01599']);
  });

  it('leaves an event without a cost unpriced, even in token mode', () => {
    expect(pricer({ model: 'gpt-4o', usage, rateCardCost: null, reportedCost: new Decimal('1') })).toEqual({
      status: 'unpriced',
      reason: 'no_rate',
    });
  });

  it('uses the reported cost under cost_source "reported"', () => {
    const reported = compileEventPricer(plan({ cost_source: 'reported', charges: [{ name: 'all', models: ['*'], markup: '1' }] }));
    const priced = reported({ model: 'x', usage, rateCardCost: null, reportedCost: new Decimal('0.02') });
    expect(priced.status === 'priced' && priced.rated_amount.toFixed()).toBe('0.04');
  });
});
