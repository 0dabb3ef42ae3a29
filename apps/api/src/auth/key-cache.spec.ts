import type { KeyPrincipal } from '@tollgate/db';
import { KeyCache, MAX_CACHED_KEYS, STALE_AFTER_MS } from './key-cache';

const principal = (keyId: string): KeyPrincipal => ({ keyId, organizationId: 'org', scope: 'ingest', customerId: null, isOperator: false });
const entry = (keyId: string, fetchedAt: number, validUntil = Infinity) => ({ principal: principal(keyId), fetchedAt, validUntil });

describe('KeyCache', () => {
  it('trusts an entry for STALE_AFTER_MS after its read, longer only while polls confirm the revision', () => {
    const cache = new KeyCache();
    cache.set('k', entry('a', 0), cache.ticket());
    expect(cache.get('k', STALE_AFTER_MS - 1)?.principal.keyId).toBe('a');
    cache.confirm(7, 900);
    cache.confirm(7, 1400);
    expect(cache.get('k', 2300)?.principal.keyId).toBe('a');
    // No poll confirmed it since 1400 (Postgres away): gone a second later, to be read again.
    expect(cache.get('k', 2400)).toBeUndefined();
  });

  it('drops every entry when the revision moves (a key was revoked or rotated anywhere)', () => {
    const cache = new KeyCache();
    cache.confirm(1, 0);
    cache.set('k', entry('a', 10), cache.ticket());
    cache.confirm(1, 500);
    expect(cache.get('k', 600)).toBeDefined();
    cache.confirm(2, 700);
    expect(cache.get('k', 701)).toBeUndefined();
  });

  it('ignores a read that a drop overtook', () => {
    const cache = new KeyCache();
    const ticket = cache.ticket();
    cache.drop();
    cache.set('k', entry('a', 0), ticket);
    expect(cache.get('k', 1)).toBeUndefined();
  });

  it('ends a rotated key at its validUntil', () => {
    const cache = new KeyCache();
    cache.set('k', entry('a', 0, 300), cache.ticket());
    expect(cache.get('k', 299)).toBeDefined();
    expect(cache.get('k', 300)).toBeUndefined();
  });

  it('holds at most MAX_CACHED_KEYS, forgetting the oldest', () => {
    const cache = new KeyCache();
    for (let i = 0; i <= MAX_CACHED_KEYS; i++) cache.set(`k${i}`, entry(`id${i}`, 0), cache.ticket());
    expect(cache.size).toBe(MAX_CACHED_KEYS);
    expect(cache.get('k0', 1)).toBeUndefined();
    expect(cache.get(`k${MAX_CACHED_KEYS}`, 1)).toBeDefined();
  });
});
