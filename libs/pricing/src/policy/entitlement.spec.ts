import { Decimal } from '@tollgate/money';
import { entitlement } from './entitlement';

const d = (v: string) => new Decimal(v);

describe('entitlement', () => {
  const base = { prepaid: false, ongoing_balance: d('0'), period_usage: d('5'), spend_cap: null };

  it('allows a customer on a postpaid plan without a cap, whatever its balance', () => {
    expect(entitlement({ ...base, ongoing_balance: d('-100') })).toEqual({ allowed: true });
  });

  it('refuses a prepaid customer whose ongoing balance is zero or below, and allows one above zero', () => {
    expect(entitlement({ ...base, prepaid: true, ongoing_balance: d('0') })).toEqual({ allowed: false, reason: 'credits_exhausted' });
    expect(entitlement({ ...base, prepaid: true, ongoing_balance: d('-0.01') })).toEqual({ allowed: false, reason: 'credits_exhausted' });
    expect(entitlement({ ...base, prepaid: true, ongoing_balance: d('0.000001') })).toEqual({ allowed: true });
  });

  it('refuses once the period usage reaches the cap, not before', () => {
    expect(entitlement({ ...base, spend_cap: d('5.01') })).toEqual({ allowed: true });
    expect(entitlement({ ...base, spend_cap: d('5') })).toEqual({ allowed: false, reason: 'spend_cap_reached' });
  });

  it('names exhausted credit first when both refuse', () => {
    expect(entitlement({ ...base, prepaid: true, spend_cap: d('1') })).toEqual({ allowed: false, reason: 'credits_exhausted' });
  });
});
