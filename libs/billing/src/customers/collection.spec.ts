import { InvalidCommandError } from '../errors';
import { collectionAfter } from './collection';

describe('collectionAfter: how Stripe collects a customer', () => {
  const charge = { collection_method: 'charge_automatically', days_until_due: null } as const;
  const email14 = { collection_method: 'send_invoice', days_until_due: 14 } as const;

  it('charges automatically unless told otherwise', () => {
    expect(collectionAfter(null, {})).toEqual(charge);
  });

  it('emails invoices due in 30 days unless given the days', () => {
    expect(collectionAfter(null, { collection_method: 'send_invoice' })).toEqual({ collection_method: 'send_invoice', days_until_due: 30 });
    expect(collectionAfter(null, { collection_method: 'send_invoice', days_until_due: 0 })).toEqual({
      collection_method: 'send_invoice',
      days_until_due: 0,
    });
  });

  it('keeps the days through a change that does not name them, and null sets them back to 30', () => {
    expect(collectionAfter(email14, {})).toEqual(email14);
    expect(collectionAfter(email14, { days_until_due: 7 })).toEqual({ ...email14, days_until_due: 7 });
    expect(collectionAfter(email14, { days_until_due: null })).toEqual({ ...email14, days_until_due: 30 });
    expect(collectionAfter(charge, { collection_method: 'send_invoice', days_until_due: 10 })).toEqual({ ...email14, days_until_due: 10 });
  });

  it('clears the days on a move to charge_automatically, and refuses days given with it', () => {
    expect(collectionAfter(email14, { collection_method: 'charge_automatically' })).toEqual(charge);
    expect(collectionAfter(charge, { days_until_due: null })).toEqual(charge);
    expect(() => collectionAfter(charge, { days_until_due: 5 })).toThrow(InvalidCommandError);
    expect(() => collectionAfter(null, { collection_method: 'charge_automatically', days_until_due: 5 })).toThrow(/send_invoice/);
  });
});
