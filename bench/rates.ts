// npm run bench:rates — lookups/s of the in-process rate cache on one core (target >= 1,000,000).
import { RateCache } from '../libs/rates/src/cache/rate-cache';
import { bundledSnapshot } from '../libs/rates/src/snapshot/bundled';
import { snapshotVersions } from '../libs/rates/src/snapshot/snapshot-file';
import type { RateVersion } from '../libs/rates/src/rate-card';

const DAY = 86_400_000;
const start = Date.parse('2026-01-01T00:00:00Z');

// Every card of the bundled snapshot, with 12 monthly price versions each and an override on every tenth.
const cache = new RateCache();
const cards = bundledSnapshot().flatMap((f) => snapshotVersions(f));
const versions: RateVersion[] = [];
for (const card of cards) {
  for (let month = 0; month < 12; month++) {
    versions.push({ ...card, id: `${card.id}:${month}`, effectiveFrom: new Date(start + month * 30 * DAY) });
  }
}
cards
  .filter((_, i) => i % 10 === 0)
  .forEach((card, i) => {
    versions.push({ ...card, id: `override:${i}`, source: 'override', effectiveFrom: new Date(start + 200 * DAY) });
  });
cache.replace(versions);

// Lookups at random times over the year, for random models (keys prepared up front, as the pricing loop has them).
const N = 2_000_000;
const providers: string[] = new Array(N);
const models: string[] = new Array(N);
const times = new Float64Array(N);
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
for (let i = 0; i < N; i++) {
  const card = cards[Math.floor(random() * cards.length)]!;
  providers[i] = card.provider;
  models[i] = card.model;
  times[i] = start + Math.floor(random() * 365 * DAY);
}

function run(): { perSecond: number; found: number } {
  let found = 0;
  const began = process.hrtime.bigint();
  for (let i = 0; i < N; i++) if (cache.lookup(providers[i]!, models[i]!, times[i]!) !== null) found++;
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  return { perSecond: N / seconds, found };
}

run(); // warm-up
const results = [run(), run(), run()].sort((a, b) => a.perSecond - b.perSecond);
const median = results[1]!;
console.log(`rate cache: ${cache.size} versions of ${cards.length} cards; ${N} lookups per run, ${median.found} found`);
console.log(JSON.stringify({ bench: 'rates', lookups_per_s: Math.round(median.perSecond) }));
