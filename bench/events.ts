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

/** One event's JSON, as the SDK serialises it. `at` is the batch's time (ms). */
function eventJson(run: string, k: number, at: number, iso: string): string {
  const { provider, model } = modelOf(k);
  const u = usageOf(k);
  if (LIGHT) {
    return (
      `{"transaction_id":"${run}-${k}","external_customer_id":"customer-${k % CUSTOMERS}","timestamp":${at},` +
      `"provider":"${provider}","model":"${model}","task_id":"task-${k >> 4}","feature":"chat",` +
      `"usage":{"input_tokens":${u[0]},"cache_read_tokens":${u[1]},"output_tokens":${u[4]},"reasoning_tokens":${u[5]}}}`
    );
  }
  const m = metadataOf(k)!;
  let usage = '';
  for (let d = 0; d < USAGE_DIMENSIONS.length; d++) usage += `${d === 0 ? '' : ','}"${USAGE_DIMENSIONS[d]}":${u[d]}`;
  return (
    `{"transaction_id":"${run}-${k}","external_customer_id":"customer-${k % CUSTOMERS}","timestamp":"${iso}",` +
    `"provider":"${provider}","model":"${model}","task_id":"task-${k >> 4}","feature":"${FEATURES[k % FEATURES.length]}",` +
    `"usage":{${usage}},"metadata":{"team":"${m.team}","env":"${m.env}","agent_version":"${m.agent_version}"}}`
  );
}

/** The body of POST /v1/events for batch n of a run: events n*BATCH .. n*BATCH+BATCH-1. */
export function batchBody(run: string, n: number): string {
  const at = Date.now() - 1000;
  const iso = new Date(at).toISOString();
  const parts: string[] = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) parts[i] = eventJson(run, n * BATCH + i, at, iso);
  return `{"events":[${parts.join(',')}]}`;
}

/** The same events as rows of the events table (for the raw-insert floor). */
export function batchRows(run: string, n: number, customerIds: readonly string[]): EventRow[] {
  const at = Date.now() - 1000;
  const rows: EventRow[] = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) {
    const k = n * BATCH + i;
    const { provider, model } = modelOf(k);
    const metadata = metadataOf(k);
    const json = eventJson(run, k, at, new Date(at).toISOString());
    rows[i] = {
      transactionId: `${run}-${k}`,
      customerId: customerIds[k % CUSTOMERS],
      externalCustomerId: `customer-${k % CUSTOMERS}`,
      occurredAt: at,
      timestampProvided: true,
      provider,
      model,
      usage: usageOf(k),
      cost: null,
      taskId: `task-${k >> 4}`,
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
