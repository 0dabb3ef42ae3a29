import { Decimal } from '@tollgate/money';
import { consumeCredits, creditsApplied, type CreditGrant } from './credits';

const day = (n: number) => new Date(Date.UTC(2026, 0, n));
const grant = (id: string, remaining: string, priority: number, expires: number | null, created: number): CreditGrant => ({
  id,
  remaining: new Decimal(remaining),
  priority,
  expires_at: expires === null ? null : day(expires),
  created_at: day(created),
});

describe('consumeCredits', () => {
  const grants = [
    grant('no-expiry', '100', 1, null, 1),
    grant('late-expiry', '100', 1, 30, 2),
    grant('early-expiry-new', '5', 1, 20, 5),
    grant('early-expiry-old', '5', 1, 20, 3),
    grant('urgent', '7.50', 0, null, 9),
  ];

  it('uses priority, then earliest expiry (none last), then the oldest', () => {
    const uses = consumeCredits(grants, new Decimal('120'), 'USD', day(10));
    expect(uses.map((u) => [u.grant_id, u.amount.toFixed(2)])).toEqual([
      ['urgent', '7.50'],
      ['early-expiry-old', '5.00'],
      ['early-expiry-new', '5.00'],
      ['late-expiry', '100.00'],
      ['no-expiry', '2.50'],
    ]);
    expect(creditsApplied(uses).toFixed(2)).toBe('120.00');
  });

  it('stops at the subtotal and skips grants expired by then', () => {
    const uses = consumeCredits(grants, new Decimal('10'), 'USD', day(25));
    expect(uses.map((u) => [u.grant_id, u.amount.toFixed(2)])).toEqual([
      ['urgent', '7.50'],
      ['late-expiry', '2.50'],
    ]);
  });

  it('uses grants in whole minor units only', () => {
    const uses = consumeCredits([grant('a', '0.129', 0, null, 1), grant('b', '0.004', 0, null, 2)], new Decimal('1'), 'USD', day(1));
    expect(uses.map((u) => [u.grant_id, u.amount.toFixed()])).toEqual([['a', '0.12']]);
  });

  it('applies nothing to a zero subtotal', () => {
    expect(consumeCredits(grants, new Decimal('0'), 'USD', day(1))).toEqual([]);
  });
});
