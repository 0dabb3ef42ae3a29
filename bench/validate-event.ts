// npm run bench:validate-event [-- batches] — why POST /v1/events keeps a hand-written validator: the time
// to check one 1,000-event batch (as the SDK sends them) with validateEvent (apps/api/src/events/validate-event.ts,
// content hash included) and with the zod Event schema (event.schema.ts), interpreted and compiled (z.compile),
// which check the same rules (validate-event.property.spec.ts). One core, no I/O.
import { z } from 'zod';
import { Event } from '../apps/api/src/events/event.schema';
import { contentHash, isEventError, validateEvent, type ValidEvent } from '../apps/api/src/events/validate-event';

const BATCHES = Number(process.argv[2] ?? 300);
const now = Date.now();
const window = { now, maxFutureMs: 300_000, backfillMs: 35 * 86_400_000 };
const models = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5', 'o3', 'gemini-2.5-pro'];
const batch = Array.from({ length: 1000 }, (_, i) => ({
  transaction_id: `0193b2c4-7e1a-7c3d-8f00-${String(i).padStart(12, '0')}`,
  external_customer_id: `customer-${i % 50}`,
  timestamp: new Date(now - (i % 600) * 1000).toISOString(),
  provider: i % 3 === 0 ? 'anthropic' : 'openai',
  model: models[i % models.length],
  usage: { input_tokens: 1200 + i, cache_read_tokens: i % 4 === 0 ? 800 : 0, output_tokens: 300 + (i % 97), requests: 1 },
  ...(i % 5 === 0 ? { task_id: `task-${i % 40}`, feature: 'search', metadata: { team: 'growth', region: 'eu' } } : {}),
}));

const compiled = z.compile(Event);

function time(label: string, check: (e: unknown) => boolean): number {
  for (let i = 0; i < Math.max(20, BATCHES / 10); i++) for (const e of batch) check(e); // warm up
  const start = process.hrtime.bigint();
  for (let b = 0; b < BATCHES; b++) {
    for (const e of batch) if (!check(e)) throw new Error(`${label} refused a valid event`);
  }
  const usPerBatch = Number(process.hrtime.bigint() - start) / 1000 / BATCHES;
  console.log(
    `${label.padEnd(42)} ${(usPerBatch / 1000).toFixed(2).padStart(7)} ms per 1,000-event batch  ${(usPerBatch / 1000).toFixed(2)} µs per event`,
  );
  return usPerBatch;
}

// Both ways need the content hash (duplicate detection) after the checks: timed on its own and subtracted.
const valid = batch.map((e) => validateEvent(e, window) as ValidEvent);
const hashIndex = new Map(batch.map((e, i) => [e as unknown, i]));
const withHash = time('validateEvent (hand-written, with hash)', (e) => !isEventError(validateEvent(e, window)));
const hashOnly = time('  of which the content hash', (e) => contentHash(valid[hashIndex.get(e)!]).length === 32);
const hand = withHash - hashOnly;
const zod = time('zod Event.safeParse', (e) => Event.safeParse(e).success);
const zodCompiled = time('zod z.compile(Event).safeParse', (e) => compiled.safeParse(e).success);
console.log(
  `checks alone: hand-written ${(hand / 1000).toFixed(2)} ms, zod ${(zod / hand).toFixed(2)}× that, compiled zod ${(zodCompiled / hand).toFixed(2)}×`,
);
