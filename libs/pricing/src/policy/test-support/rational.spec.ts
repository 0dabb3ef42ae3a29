import { div, fromDecimal, rational, roundHalfAwayFromZero } from './rational';

// The oracle must itself be right for the property tests to mean anything.
describe('rational oracle', () => {
  it.each([
    ['0.125', 2, '0.13'],
    ['-0.125', 2, '-0.13'],
    ['0.124', 2, '0.12'],
    ['-0.004', 2, '0.00'],
    ['1234.5', 0, '1235'],
    ['7', 3, '7.000'],
  ])('rounds %s to %i places as %s', (x, places, expected) => {
    expect(roundHalfAwayFromZero(fromDecimal(x), places)).toBe(expected);
  });

  it('rounds non-terminating quotients', () => {
    expect(roundHalfAwayFromZero(div(rational(2n), rational(3n)), 2)).toBe('0.67');
    expect(roundHalfAwayFromZero(div(fromDecimal('0.01'), fromDecimal('0.7')), 3)).toBe('0.014');
  });
});
