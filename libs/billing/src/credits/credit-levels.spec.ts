import { Decimal } from '@tollgate/money';
import { levelChanges, type LevelState } from './credit-levels';

const d = (v: string) => new Decimal(v);
const armed: LevelState = { below: d('10'), lowArmed: true, exhaustedArmed: true, usesCredit: true };

describe('levelChanges', () => {
  it('crosses the rule once when armed and below its amount, and re-arms at or above it', () => {
    expect(levelChanges(armed, d('9.99')).low).toBe('cross');
    expect(levelChanges({ ...armed, lowArmed: false }, d('5')).low).toBeNull();
    expect(levelChanges({ ...armed, lowArmed: false }, d('10')).low).toBe('rearm');
    expect(levelChanges(armed, d('10')).low).toBeNull();
  });

  it('has no low crossing without a rule', () => {
    expect(levelChanges({ ...armed, below: null }, d('-5')).low).toBeNull();
  });

  it('announces exhaustion at zero or below once, re-armed above zero', () => {
    expect(levelChanges(armed, d('0')).exhausted).toBe('cross');
    expect(levelChanges(armed, d('0.01')).exhausted).toBeNull();
    expect(levelChanges({ ...armed, exhaustedArmed: false }, d('-3')).exhausted).toBeNull();
    expect(levelChanges({ ...armed, exhaustedArmed: false }, d('0.01')).exhausted).toBe('rearm');
  });

  it('says nothing about exhaustion for a customer that does not use credit', () => {
    expect(levelChanges({ ...armed, below: null, usesCredit: false }, d('0')).exhausted).toBeNull();
  });
});
