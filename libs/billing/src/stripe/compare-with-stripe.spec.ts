import { Decimal } from '@tollgate/money';
import { differences, type OurInvoice, type TheirInvoice } from './compare-with-stripe';

const d = (v: string) => new Decimal(v);

const ours: OurInvoice = {
  currency: 'USD',
  total: d('41.50'),
  lines: [
    { id: 'l1', position: 0, description: 'Usage: premium', amount: d('46.50') },
    { id: 'l2', position: 1, description: 'Included usage', amount: d('-5.00') },
  ],
};

const theirs = (over: Partial<TheirInvoice> = {}): TheirInvoice => ({
  currency: 'USD',
  total: d('41.5'),
  lines: [
    { id: 'il_1', amount: d('46.5'), description: 'Usage: premium', tollgateLineId: 'l1' },
    { id: 'il_2', amount: d('-5'), description: 'Included usage', tollgateLineId: 'l2' },
  ],
  ...over,
});

describe('differences between Stripe and our invoice', () => {
  it('finds none when every line and the total agree to the cent (in any order)', () => {
    expect(differences(ours, theirs())).toEqual([]);
    expect(differences(ours, theirs({ lines: [...theirs().lines].reverse() }))).toEqual([]);
  });

  it('names a line off by a cent, and the total', () => {
    const lines = theirs().lines.map((l) => (l.tollgateLineId === 'l1' ? { ...l, amount: d('46.51') } : l));
    expect(differences(ours, theirs({ lines, total: d('41.51') }))).toEqual([
      'line 1 ("Usage: premium"): Stripe 46.51, ours 46.5',
      'total: Stripe 41.51, ours 41.5',
    ]);
  });

  it('names a missing line, an extra one, another description and another currency', () => {
    const [first] = theirs().lines;
    const extra = { id: 'il_9', amount: d('1'), description: 'Pending item', tollgateLineId: null };
    expect(differences(ours, theirs({ currency: 'EUR', lines: [{ ...first, description: 'Usage' }, extra], total: d('47.5') }))).toEqual([
      'currency: Stripe EUR, ours USD',
      'line 1 ("Usage: premium"): Stripe\'s description is "Usage"',
      'line 2 ("Included usage") is missing on Stripe',
      'Stripe has a line we do not: il_9 ("Pending item", 1)',
      'total: Stripe 47.5, ours 41.5',
    ]);
  });

  it('names a line Stripe has twice (lines added twice)', () => {
    const lines = [...theirs().lines, { ...theirs().lines[1], id: 'il_3' }];
    expect(differences(ours, theirs({ lines, total: d('36.5') }))).toEqual([
      'Stripe has a line we do not: il_3 ("Included usage", -5)',
      'total: Stripe 36.5, ours 41.5',
    ]);
  });

  it('refuses an invoice of ours whose lines do not add up to its total', () => {
    expect(differences({ ...ours, total: d('41.49') }, theirs({ total: d('41.49') }))).toEqual([
      'our lines add up to 41.5, our total is 41.49',
    ]);
  });

  it('takes an invoice with no line and a zero total', () => {
    expect(differences({ currency: 'USD', total: d('0'), lines: [] }, { currency: 'USD', total: d('0'), lines: [] })).toEqual([]);
  });
});
