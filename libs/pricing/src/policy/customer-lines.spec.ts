import { Decimal } from '@tollgate/money';
import { customerLines } from './customer-lines';

const line = (id: string, type: string, description: string, amount: string) => ({ id, type, description, amount: new Decimal(amount) });
const lines = [
  line('a', 'usage', 'Usage: premium', '12.34'),
  line('b', 'usage', 'Usage: standard', '0.66'),
  line('c', 'late_usage', 'Late usage (period from 2026-10-01): standard', '1.00'),
  line('d', 'allowance', 'Included usage', '-5.00'),
  line('e', 'base_fee', 'Base fee: Pro', '20.00'),
];
const total = (ls: { amount: Decimal }[]) => ls.reduce((s, l) => s.plus(l.amount), new Decimal(0)).toFixed(2);

describe('customerLines', () => {
  it('per_charge shows every line as it is', () => {
    const out = customerLines(lines, 'per_charge');
    expect(out.map((l) => [l.line.id, l.description, l.amount.toFixed(2)])).toEqual(
      lines.map((l) => [l.id, l.description, l.amount.toFixed(2)]),
    );
  });

  it('summary merges the usage lines into one where the first stood, late usage into another, and keeps the rest', () => {
    const out = customerLines(lines, 'summary');
    expect(out.map((l) => [l.line.id, l.description, l.amount.toFixed(2), l.merged.length])).toEqual([
      ['a', 'Usage', '13.00', 2],
      ['c', 'Late usage', '1.00', 1],
      ['d', 'Included usage', '-5.00', 1],
      ['e', 'Base fee: Pro', '20.00', 1],
    ]);
  });

  it('never changes the total', () => {
    expect(total(customerLines(lines, 'summary'))).toBe(total(lines));
    expect(total(customerLines([], 'summary'))).toBe('0.00');
  });
});
