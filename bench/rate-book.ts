// npm run bench:rate-book — RateBook.lookup (model resolution memo + override + list cache) on one core.
import type { RateVersionRow } from '../libs/db/src/rates.repository';
import { RateBook } from '../libs/rates/src/rate-book';
import { bundledSnapshot } from '../libs/rates/src/snapshot/bundled';
import { snapshotCards } from '../libs/rates/src/snapshot/snapshot-file';
import { cardToRow } from '../libs/rates/src/store/version-rows';

// The bundled snapshot as rows (what the database holds on a fresh install), and 10 organisations asking.
const rows: RateVersionRow[] = [];
for (const file of bundledSnapshot()) {
  for (const card of snapshotCards(file)) {
    rows.push({
      id: String(rows.length),
      scope: 'list',
      source: file.source,
      effective_from: new Date(0),
      fetched_at: new Date(0),
      sync_id: null,
      ...cardToRow(card),
    });
  }
}
const store = {
  signature: async () => 'bench',
  allVersions: async () => rows,
  allAliases: async () => [],
  listSources: async () => ['openrouter', 'litellm', 'bedrock'],
  seedListVersions: async () => 0,
};

async function main() {
  const book = new RateBook(store, { pollMs: 0 });
  const began = process.hrtime.bigint();
  await book.start();
  const loadMs = Number(process.hrtime.bigint() - began) / 1e6;
  const N = 2_000_000;
  const orgs = Array.from({ length: 10 }, (_, i) => `org-${i}`);
  const run = () => {
    let found = 0;
    const t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      const row = rows[i % rows.length]!;
      if (book.lookup(orgs[i % orgs.length]!, row.provider, row.model, 1_780_000_000_000 + i).ok) found++;
    }
    return { perSecond: N / (Number(process.hrtime.bigint() - t) / 1e9), found };
  };
  run(); // warm-up: fills the resolution memo
  const median = [run(), run(), run()].sort((a, b) => a.perSecond - b.perSecond)[1]!;
  console.log(`rate book: ${rows.length} versions loaded in ${Math.round(loadMs)} ms; ${N} lookups per run, ${median.found} found`);
  console.log(JSON.stringify({ bench: 'rate-book', lookups_per_s: Math.round(median.perSecond), load_ms: Math.round(loadMs) }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
