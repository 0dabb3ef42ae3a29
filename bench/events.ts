import { createHash } from 'node:crypto';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import type { EventRow } from '@tollgate/db';

// The events the ingest and pipeline benchmarks send. Realistic by default, as agents instrumented with the SDK
// send them: every usage dimension the SDK reports, an ISO timestamp, task and feature attribution, three
// metadata keys, 500 customers, five OpenRouter models (their rate cards are the bundled snapshot, built from
// the copied OpenRouter fixture, seeded by the rate book at start). `--light` (or BENCH_LIGHT=1) sends the old
// light events instead (4 dimensions, no metadata, epoch-ms timestamps, 200 customers), as a labelled extra.

export const LIGHT = process.argv.includes('--light') || process.env.BENCH_LIGHT === '1';
export const VARIANT = LIGHT ? 'light events (4 dimensions, no metadata, epoch ms, 200 customers)' : 'realistic events';
export const BATCH = 1000;
export const CUSTOMERS = LIGHT ? 200 : 500;

const REALISTIC_MODELS = [
  'openai/gpt-5',
  'openai/gpt-4o-mini',
  'anthropic/claude-sonnet-4',
  'google/gemini-2.5-pro',
  'google/gemini-2.5-flash',
] as const;
const LIGHT_MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'gemini-2.5-pro', 'o3'] as const;
const FEATURES = ['chat', 'search', 'summarize', 'code-review', 'support-agent', 'extract'];
const TEAMS = ['growth', 'platform', 'support', 'research'];
const ENVS = ['prod', 'staging'];

/** A plan both benches put in place (PUT /v1/plans/default), so that every event is priced. */
export const BENCH_PLAN = {
  name: 'Bench',
  currency: 'USD',
  included_usage: '10.00',
  effective_from: '2000-01-01T00:00:00Z',
  charges: [
    { name: 'premium', models: ['*o3*', '*gemini-2.5-pro*'], mode: 'price', markup: '0.5', margin_floor: '0.3', allowance_eligible: false },
    { name: 'standard', models: ['*'], mode: 'price', markup: '0.3', margin_floor: '0.2' },
  ],
};

/** Usage counts of event k in USAGE_DIMENSIONS order (the same numbers the JSON body carries). */
export function usageOf(k: number): number[] {
  if (LIGHT) return [1000 + (k % 5000), k % 3000, 0, 0, 200 + (k % 800), k % 100, 0, 0, 0, 0, 1];
  const counts: Record<(typeof USAGE_DIMENSIONS)[number], number> = {
    input_tokens: 800 + (k % 9000),
    cache_read_tokens: k % 4 === 0 ? 0 : 2000 + (k % 6000),
    cache_write_tokens: k % 7 === 0 ? 1024 + (k % 512) : 0,
    cache_write_1h_tokens: k % 29 === 0 ? 2048 : 0,
    output_tokens: 150 + (k % 1500),
    reasoning_tokens: k % 3 === 0 ? 0 : k % 900,
    audio_input_tokens: k % 50 === 0 ? 400 : 0,
    audio_output_tokens: 0,
    images: k % 40 === 0 ? 1 : 0,
    web_searches: k % 25 === 0 ? 2 : 0,
    requests: 1,
  };
  return USAGE_DIMENSIONS.map((d) => counts[d]);
}

export function modelOf(k: number): { provider: string; model: string } {
  return LIGHT
    ? { provider: 'openai', model: LIGHT_MODELS[k % LIGHT_MODELS.length] }
    : { provider: 'openrouter', model: REALISTIC_MODELS[k % 5] };
}

function metadataOf(k: number): Record<string, string> | null {
  if (LIGHT) return null;
  return { team: TEAMS[k % TEAMS.length], env: ENVS[(k >> 3) % ENVS.length], agent_version: `1.${k % 7}.${k % 3}` };
}

/**
 * A task is one customer's agent run: TASK_CALLS calls, all of that customer. A batch holds two calls of each of
 * the 500 customers (event k is customer k % 500), so a task's calls arrive over eight consecutive batches.
 * `round` makes each round of the prebuilt bodies new tasks. (The light events keep their old tasks, 16
 * consecutive events across 16 customers.)
 */
export const TASK_CALLS = 16;
export function taskOf(k: number, round: string): string {
  return LIGHT ? `task-${round}-${k >> 4}` : `task-${round}-${k % CUSTOMERS}-${Math.floor(k / (CUSTOMERS * TASK_CALLS))}`;
}

/** One event's JSON, as the SDK serialises it. `round` is part of its ids; `at` and `iso` the batch's time. */
function eventJson(run: string, round: string, k: number, at: string, iso: string): string {
  const { provider, model } = modelOf(k);
  const u = usageOf(k);
  const ids = `"transaction_id":"${run}-${round}-${k}","external_customer_id":"customer-${k % CUSTOMERS}"`;
  if (LIGHT) {
    return (
      `{${ids},"timestamp":${at},` +
      `"provider":"${provider}","model":"${model}","task_id":"${taskOf(k, round)}","feature":"chat",` +
      `"usage":{"input_tokens":${u[0]},"cache_read_tokens":${u[1]},"output_tokens":${u[4]},"reasoning_tokens":${u[5]}}}`
    );
  }
  const m = metadataOf(k)!;
  let usage = '';
  for (let d = 0; d < USAGE_DIMENSIONS.length; d++) usage += `${d === 0 ? '' : ','}"${USAGE_DIMENSIONS[d]}":${u[d]}`;
  return (
    `{${ids},"timestamp":"${iso}",` +
    `"provider":"${provider}","model":"${model}","task_id":"${taskOf(k, round)}","feature":"${FEATURES[k % FEATURES.length]}",` +
    `"usage":{${usage}},"metadata":{"team":"${m.team}","env":"${m.env}","agent_version":"${m.agent_version}"}}`
  );
}

const ROUND_DIGITS = 6;
const ROUND_MARK = '#'.repeat(ROUND_DIGITS);
const AT_MARK = '@'.repeat(13); // epoch ms (light events)
const ISO_MARK = '@'.repeat(24); // 2026-12-01T04:00:00.000Z

/**
 * The bodies of POST /v1/events, prebuilt as the floor's rows are: TEMPLATES batches of distinct events are built
 * once as bytes, and batch n is template n % TEMPLATES with its round (n / TEMPLATES) written into every
 * transaction id and task id and the batch's time into every timestamp. So every event of a run is new (its own
 * transaction id, its task's), and the load generator, which shares the two cores with the api, Postgres and
 * the worker, spends about a memory copy per batch instead of building 500 KB of JSON.
 */
export class BatchBodies {
  static readonly TEMPLATES = 40;
  private readonly templates: { bytes: Buffer; rounds: number[]; times: number[] }[] = [];

  constructor(private readonly run: string) {
    for (let t = 0; t < BatchBodies.TEMPLATES; t++) {
      const parts: string[] = new Array(BATCH);
      for (let i = 0; i < BATCH; i++) parts[i] = eventJson(run, ROUND_MARK, t * BATCH + i, AT_MARK, ISO_MARK);
      const text = `{"events":[${parts.join(',')}]}`; // ASCII: a character is a byte
      this.templates.push({
        bytes: Buffer.from(text, 'latin1'),
        rounds: offsets(text, ROUND_MARK),
        times: offsets(text, LIGHT ? AT_MARK : ISO_MARK),
      });
    }
  }

  /** Batch n's body: events n*BATCH .. n*BATCH+BATCH-1 of the run, stamped now (minus a second). */
  body(n: number): Buffer {
    const t = this.templates[n % BatchBodies.TEMPLATES];
    const bytes = Buffer.from(t.bytes); // a copy: earlier requests of the template may still be in flight
    const round = String(Math.floor(n / BatchBodies.TEMPLATES)).padStart(ROUND_DIGITS, '0');
    if (round.length > ROUND_DIGITS) throw new Error(`batch ${n}: more rounds than ${ROUND_DIGITS} digits hold`);
    const at = Date.now() - 1000;
    const time = LIGHT ? String(at) : new Date(at).toISOString();
    for (const o of t.rounds) bytes.write(round, o, 'latin1');
    for (const o of t.times) bytes.write(time, o, 'latin1');
    return bytes;
  }
}

function offsets(text: string, mark: string): number[] {
  const found: number[] = [];
  for (let o = text.indexOf(mark); o !== -1; o = text.indexOf(mark, o + mark.length)) found.push(o);
  return found;
}

/** The same events as rows of the events table (for the raw-insert floor). */
export function batchRows(run: string, n: number, customerIds: readonly string[]): EventRow[] {
  const at = Date.now() - 1000;
  const round = '0'.repeat(ROUND_DIGITS);
  const rows: EventRow[] = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) {
    const k = n * BATCH + i;
    const { provider, model } = modelOf(k);
    const metadata = metadataOf(k);
    const json = eventJson(run, round, k, String(at), new Date(at).toISOString());
    rows[i] = {
      transactionId: `${run}-${round}-${k}`,
      customerId: customerIds[k % CUSTOMERS],
      externalCustomerId: `customer-${k % CUSTOMERS}`,
      occurredAt: at,
      timestampProvided: true,
      provider,
      model,
      usage: usageOf(k),
      cost: null,
      taskId: taskOf(k, round),
      traceId: null,
      sessionId: null,
      feature: LIGHT ? 'chat' : FEATURES[k % FEATURES.length],
      status: 'success',
      retryOf: null,
      metadata: metadata === null ? null : JSON.stringify(metadata),
      contentHash: createHash('sha256').update(json).digest(),
    };
  }
  return rows;
}
