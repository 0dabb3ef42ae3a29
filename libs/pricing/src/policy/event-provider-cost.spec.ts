import { Decimal } from '@tollgate/money';
import { eventProviderCost } from './event-provider-cost';

const card = new Decimal('0.0123');
const reported = new Decimal('0.0150');

describe('eventProviderCost', () => {
  it('uses the rate card by default, whatever the event reports', () => {
    expect(eventProviderCost('rate_card', card, reported)).toBe(card);
    expect(eventProviderCost('rate_card', null, reported)).toBeNull();
  });

  it('trusts the reported cost when the plan says so, else falls back to the rate card', () => {
    expect(eventProviderCost('reported', card, reported)).toBe(reported);
    expect(eventProviderCost('reported', card, null)).toBe(card);
    expect(eventProviderCost('reported', null, reported)).toBe(reported);
    expect(eventProviderCost('reported', null, null)).toBeNull();
  });
});
