import { arrayLiteral } from './pg-array-literal';

describe('arrayLiteral', () => {
  it('quotes every element, escapes quotes and backslashes, and writes NULL bare', () => {
    expect(arrayLiteral(['a', 'b "c"', 'd\\e', null, undefined])).toBe('{"a","b \\"c\\"","d\\\\e",NULL,NULL}');
  });

  it('writes numbers, booleans and instants as Postgres reads them', () => {
    expect(arrayLiteral([1, 2n, '0.30', true, false, new Date('2026-10-01T00:00:00Z')])).toBe(
      '{"1","2","0.30","t","f","2026-10-01T00:00:00.000Z"}',
    );
    expect(arrayLiteral([])).toBe('{}');
  });
});
