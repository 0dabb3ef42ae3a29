import { exact } from '@tollgate/pricing';
import type { RateSource, RateVersion } from '../rate-card';
import { RateCache } from './rate-cache';

const version = (id: string, source: RateSource, from: string, input: string, removed = false): RateVersion => ({
  id,
  provider: 'openai',
  model: 'gpt-4o',
  source,
  effectiveFrom: new Date(from),
  fetchedAt: new Date(from),
  prices: { input_tokens: exact(input), output_tokens: exact('0.00001') },
  tiers: [],
  removed,
});

describe('RateCache', () => {
  it('returns the version in force at the time: an event before a price change keeps the old price', () => {
    const cache = new RateCache();
    cache.upsert(version('v2', 'litellm', '2026-09-01T00:00:00Z', '0.000002'));
    cache.upsert(version('v1', 'litellm', '2026-08-01T00:00:00Z', '0.0000025'));
    expect(cache.lookup('openai', 'gpt-4o', new Date('2026-07-31T23:59:59Z'))).toBeNull();
    expect(cache.lookup('openai', 'gpt-4o', new Date('2026-08-01T00:00:00Z'))?.id).toBe('v1');
    expect(cache.lookup('openai', 'gpt-4o', Date.parse('2026-08-31T23:59:59.999Z'))?.id).toBe('v1');
    expect(cache.lookup('openai', 'gpt-4o', Date.parse('2026-09-01T00:00:00Z'))?.id).toBe('v2');
    expect(cache.lookup('openai', 'gpt-4o-mini', Date.now())).toBeNull();
  });

  it('lets an override win from its effective time, in source order', () => {
    const cache = new RateCache();
    cache.replace([
      version('list', 'litellm', '2026-08-01T00:00:00Z', '0.0000025'),
      version('deal', 'override', '2026-08-15T00:00:00Z', '0.000002'),
      version('list2', 'litellm', '2026-09-01T00:00:00Z', '0.000003'),
    ]);
    expect(cache.lookup('openai', 'gpt-4o', Date.parse('2026-08-10T00:00:00Z'))?.id).toBe('list');
    expect(cache.lookup('openai', 'gpt-4o', Date.parse('2026-09-10T00:00:00Z'))?.id).toBe('deal');
    expect(cache.history('openai', 'gpt-4o').map((v) => v.id)).toEqual(['list', 'list2', 'deal']);
  });

  it('passes over a source that removed the model and learns new versions', () => {
    const cache = new RateCache();
    cache.upsert(version('a', 'litellm', '2026-08-01T00:00:00Z', '0.0000025'));
    const before = cache.generation;
    cache.upsert(version('gone', 'litellm', '2026-09-01T00:00:00Z', '0', true));
    expect(cache.generation).toBeGreaterThan(before);
    expect(cache.lookup('openai', 'gpt-4o', Date.parse('2026-08-20T00:00:00Z'))?.id).toBe('a');
    expect(cache.lookup('openai', 'gpt-4o', Date.parse('2026-09-20T00:00:00Z'))).toBeNull();
    expect(cache.has('openai', 'gpt-4o')).toBe(true);
    // Re-delivering the same version object changes nothing; same effective time replaces.
    const v = version('b', 'litellm', '2026-10-01T00:00:00Z', '0.000001');
    expect(cache.upsert(v)).toBe(true);
    expect(cache.upsert(v)).toBe(false);
    expect(cache.size).toBe(3);
  });
});
