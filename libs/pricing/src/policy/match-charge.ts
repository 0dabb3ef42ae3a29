import type { Charge } from './plan';

// A plan sees few distinct model strings; past this many, the cache starts over (bounded memory on hostile input).
const CACHE_LIMIT = 10_000;

/** A pattern made only of `*` matches every model string: the mark of a default charge. */
export function isMatchAllPattern(pattern: string): boolean {
  return /^\*+$/.test(pattern);
}

/**
 * Glob match where `*` is any run of characters (slashes too) and everything else is literal. Both sides are
 * already lower-cased. Two pointers with one backtrack point: O(text × pattern) at worst, never exponential
 * (a regex of many `.*` could backtrack for ever on a hostile pattern).
 */
function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Whether a model string as sent matches a charge pattern, case-insensitively. */
export function patternMatches(pattern: string, model: string): boolean {
  return globMatches(pattern.toLowerCase(), model.toLowerCase());
}

/**
 * Compiles the charges' patterns once; the returned function gives the index of the first charge whose
 * pattern matches the model as sent, or -1 when none does (a validated plan's last charge matches all).
 */
export function compileChargeMatcher(charges: readonly Charge[]): (model: string) => number {
  const patterns = charges.map((charge) => charge.models.map((p) => p.toLowerCase()));
  const cache = new Map<string, number>();
  return (model) => {
    const hit = cache.get(model);
    if (hit !== undefined) return hit;
    const lower = model.toLowerCase();
    const index = patterns.findIndex((list) => list.some((p) => globMatches(p, lower)));
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(model, index);
    return index;
  };
}
