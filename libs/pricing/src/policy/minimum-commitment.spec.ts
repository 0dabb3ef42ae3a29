import { Decimal } from '@tollgate/money';
import { minimumCommitmentTopUp } from './minimum-commitment';

const d = (s: string) => new Decimal(s);

describe('minimumCommitmentTopUp', () => {
  it('bills the shortfall below the minimum', () => {
    expect(minimumCommitmentTopUp(d('30.25'), d('100')).toFixed(2)).toBe('69.75');
    expect(minimumCommitmentTopUp(d('0'), d('100')).toFixed(2)).toBe('100.00');
  });

  it('is zero when the minimum is met or there is none', () => {
    expect(minimumCommitmentTopUp(d('100'), d('100')).isZero()).toBe(true);
    expect(minimumCommitmentTopUp(d('150'), d('100')).isZero()).toBe(true);
    expect(minimumCommitmentTopUp(d('0'), d('0')).isZero()).toBe(true);
  });
});
