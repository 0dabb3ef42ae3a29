import { invoiceNumber } from './invoice-number';

describe('invoiceNumber', () => {
  it('is the prefix, the year and the sequence in six digits at least', () => {
    expect(invoiceNumber('TG', 2026, 123)).toBe('TG-2026-000123');
    expect(invoiceNumber('ACME-EU', 2027, 1)).toBe('ACME-EU-2027-000001');
    expect(invoiceNumber('TG', 2026, 1_234_567)).toBe('TG-2026-1234567');
  });

  it('refuses a sequence that is not a positive integer', () => {
    expect(() => invoiceNumber('TG', 2026, 0)).toThrow(RangeError);
    expect(() => invoiceNumber('TG', 2026, 1.5)).toThrow(RangeError);
  });
});
