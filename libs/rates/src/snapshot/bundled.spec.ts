import { RateCache } from '../cache/rate-cache';
import { emptyUsage, providerCost } from '@tollgate/pricing';
import { resolveModel } from '../resolve/resolve-model';
import { rateCardToJson } from '../rate-card-json';
import { parseOpenRouterModels } from '../sources/openrouter/parse';
import { OPENROUTER_FIXTURE, readFixture } from '../test-fixtures';
import { bundledSnapshot } from './bundled';
import { snapshotVersions } from './snapshot-file';

describe('bundled snapshot', () => {
  const files = bundledSnapshot();

  it('records its provenance and matches the fixtures it was built from', () => {
    expect(files.map((f) => [f.source, f.taken_on, f.cards.length])).toEqual([
      ['openrouter', '2026-08-01', 331],
      ['bedrock', '2026-08-01', 9],
      ['litellm', '2026-08-01', 2251],
    ]);
    for (const f of files) expect(f.provenance).toMatch(/PROVENANCE\.md/);
    // Stale snapshot guard: rebuild with `npm run rates:snapshot` after changing a parser.
    expect(files[0]!.cards).toEqual(parseOpenRouterModels(readFixture(OPENROUTER_FIXTURE)).cards.map(rateCardToJson));
  });

  it('prices offline on a fresh install: snapshot -> cache -> resolve -> cost', () => {
    const cache = new RateCache();
    cache.replace(files.flatMap((f) => snapshotVersions(f)));
    const resolved = resolveModel({ provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' }, cache);
    expect(resolved).toMatchObject({ ok: true, model: 'us-east-1/anthropic.claude-sonnet-4-5-20250929-v1:0' });
    if (!resolved.ok) return;
    const version = cache.lookup(resolved.provider, resolved.model, Date.parse('2026-11-22T00:00:00Z'))!;
    expect(version.source).toBe('bedrock');
    // 1,000,000 input × 0.0000033 + 100,000 output × 0.0000165 = 3.3 + 1.65
    const cost = providerCost({ ...emptyUsage(), input_tokens: 1_000_000n, output_tokens: 100_000n }, version);
    expect(cost.total.toFixed()).toBe('4.95');
  });
});
