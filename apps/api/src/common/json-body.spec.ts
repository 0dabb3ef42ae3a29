import fc from 'fast-check';
import { jsonDepthExceeds } from './json-body';

/** The plain definition: one character at a time, a backslash in a string skipping the next character. */
function reference(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (++depth > max) return true;
    } else if (c === '}' || c === ']') depth--;
  }
  return false;
}

describe('jsonDepthExceeds', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(jsonDepthExceeds('[[[1]]]', 3)).toBe(false);
    expect(jsonDepthExceeds('[[[[1]]]]', 3)).toBe(true);
    expect(jsonDepthExceeds('{"a":"[[[[[[","b":{"c":[1]}}', 3)).toBe(false);
    expect(jsonDepthExceeds('{"a\\"[[[[":{"b":{"c":{"d":1}}}}', 3)).toBe(true);
    expect(jsonDepthExceeds('{"a\\\\":[[[[1]]]]}', 3)).toBe(true);
    expect(jsonDepthExceeds('{"a\\\\\\"[[[[[":1}', 3)).toBe(false);
    expect(jsonDepthExceeds('"unterminated [[[[', 1)).toBe(false);
  });

  it('agrees with the character-at-a-time definition on any text', () => {
    const piece = fc.constantFrom('{', '}', '[', ']', '"', '\\', '\\\\', '\\"', 'a', ':', ',', '1', ' ');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.integer({ min: 0, max: 6 }), (pieces, max) => {
        const text = pieces.join('');
        expect(jsonDepthExceeds(text, max)).toBe(reference(text, max));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees on JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 8 }), (value, max) => {
        const text = JSON.stringify(value);
        expect(jsonDepthExceeds(text, max)).toBe(reference(text, max));
      }),
      { numRuns: 2000 },
    );
  });
});
