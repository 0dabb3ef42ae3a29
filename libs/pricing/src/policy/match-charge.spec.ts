import { compileChargeMatcher, isMatchAllPattern, patternMatches } from './match-charge';
import { plan } from './test-support/plans';

describe('charge patterns', () => {
  it.each([
    ['*o3*', 'openai/o3-mini', true],
    ['*opus*', 'anthropic/claude-OPUS-4', true],
    ['gpt-4o', 'GPT-4o', true],
    ['gpt-4o', 'gpt-4o-mini', false],
    ['gpt-4o*', 'gpt-4o-mini', true],
    ['*', '', true],
    ['a*b*c', 'a/x/b/y/c', true],
    ['a*b*c', 'a/x/b/y/cd', false],
    ['gpt-4.1', 'gpt-441', false],
    ['(x)+[y]?', '(X)+[Y]?', true],
    ['*/claude-*', 'bedrock/anthropic/claude-3', true],
  ])('%s vs %s → %s', (pattern, model, expected) => {
    expect(patternMatches(pattern, model)).toBe(expected);
  });

  it('does not backtrack exponentially on hostile patterns', () => {
    const pattern = '*a'.repeat(40) + 'b';
    // A regex of 40 `.*` would not return within the test timeout here.
    expect(patternMatches(pattern, 'a'.repeat(255))).toBe(false);
  });

  it('knows a match-all pattern', () => {
    expect(isMatchAllPattern('*')).toBe(true);
    expect(isMatchAllPattern('**')).toBe(true);
    expect(isMatchAllPattern('*a')).toBe(false);
  });
});

describe('compileChargeMatcher', () => {
  const p = plan({
    charges: [
      { name: 'premium', models: ['*o3*', '*opus*'], markup: '0.5' },
      { name: 'claude', models: ['*claude*'], markup: '0.2' },
      { name: 'standard', models: ['*'], markup: '0.3' },
    ],
  });
  const match = compileChargeMatcher(p.charges);

  it('picks the first matching charge in plan order', () => {
    expect(match('anthropic/claude-opus-4')).toBe(0);
    expect(match('anthropic/claude-sonnet-4')).toBe(1);
    expect(match('gpt-4o')).toBe(2);
    // Answers come from the cache the second time; they must not change.
    expect(match('anthropic/claude-opus-4')).toBe(0);
  });

  it('returns -1 when nothing matches (only possible for an unvalidated list)', () => {
    expect(compileChargeMatcher([{ ...p.charges[0] }])('gpt-4o')).toBe(-1);
  });
});
