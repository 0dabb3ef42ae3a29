import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Tollgate, wrapAnthropic, wrapOpenAI } from '@tollgate/sdk';
import { startFakeLlm } from '@tollgate/testing';

// A few days of agent traffic for the demo's customers: real `openai` and `@anthropic-ai/sdk` clients,
// instrumented by @tollgate/sdk, calling a local fake LLM whose answers carry the usage the SDK reads. The calls
// happen now; each is stamped with the moment of the simulated day it stands for (its `demo_at` metadata,
// moved into the event's timestamp on its way to the API), so the days are real days to the billing.

export interface TrafficProfile {
  customer: string;
  feature: string;
  /** Calls per simulated day (each day varies around it). */
  callsPerDay: number;
  /** Model mix: [provider, model, weight]. */
  models: [provider: 'openai' | 'anthropic', model: string, weight: number][];
  /** Typical prompt and completion tokens of a call. */
  promptTokens: number;
  completionTokens: number;
}

/** A deterministic pseudo-random sequence (mulberry32): the same demo every time. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;

/**
 * Sends the profiles' traffic for `days` days ending now (the last one partial, up to now) through the SDK to the
 * API with the ingest key; resolves once every event was delivered. Returns the number of calls made.
 */
export async function sendTraffic(options: {
  baseUrl: string;
  ingestKey: string;
  profiles: TrafficProfile[];
  days: number;
  now: Date;
}): Promise<number> {
  const llm = await startFakeLlm();
  const rejected: string[] = [];
  const tollgate = new Tollgate({
    apiKey: options.ingestKey,
    baseUrl: options.baseUrl,
    flushOnExit: false,
    onError: (err) => rejected.push(err.message),
    // The simulated moment of each call becomes its timestamp.
    fetch: (input, init) => {
      if (typeof init?.body === 'string') {
        const body = JSON.parse(init.body) as { events: { timestamp: number; metadata?: Record<string, string> }[] };
        for (const e of body.events) if (e.metadata?.demo_at) e.timestamp = Date.parse(e.metadata.demo_at);
        init = { ...init, body: JSON.stringify(body) };
      }
      return fetch(input, init);
    },
  });
  const openai = wrapOpenAI(new OpenAI({ apiKey: 'sk-demo', baseURL: llm.openaiBaseUrl, maxRetries: 0 }), tollgate);
  const anthropic = wrapAnthropic(new Anthropic({ apiKey: 'sk-ant-demo', baseURL: llm.anthropicBaseUrl, maxRetries: 0 }), tollgate);
  const next = random(20261130);
  let calls = 0;
  try {
    const today = Date.UTC(options.now.getUTCFullYear(), options.now.getUTCMonth(), options.now.getUTCDate());
    for (let d = options.days - 1; d >= 0; d--) {
      const dayStart = today - d * DAY_MS;
      const dayEnd = Math.min(dayStart + DAY_MS, options.now.getTime());
      for (const p of options.profiles) {
        const count = Math.max(1, Math.round(p.callsPerDay * (0.6 + 0.8 * next()) * ((dayEnd - dayStart) / DAY_MS)));
        const total = p.models.reduce((s, m) => s + m[2], 0);
        for (let i = 0; i < count; i++) {
          const at = new Date(dayStart + Math.floor(((i + next()) / count) * (dayEnd - dayStart)));
          let pick = next() * total;
          const [provider, model] = p.models.find((m) => (pick -= m[2]) < 0) ?? p.models[0];
          const prompt = Math.round(p.promptTokens * (0.5 + next()));
          const completion = Math.round(p.completionTokens * (0.5 + next()));
          const cached = Math.round(prompt * 0.3 * next());
          await tollgate.task(
            'agent-run',
            { customer: p.customer, feature: p.feature, metadata: { demo_at: at.toISOString() } },
            async () => {
              if (provider === 'openai') {
                llm.setUsage('openai', {
                  prompt_tokens: prompt,
                  completion_tokens: completion,
                  total_tokens: prompt + completion,
                  prompt_tokens_details: { cached_tokens: cached },
                  completion_tokens_details: { reasoning_tokens: model.startsWith('o') ? Math.round(completion / 3) : 0 },
                });
                await openai.chat.completions.create({
                  model,
                  messages: [{ role: 'user', content: 'Resolve the next ticket in the queue' }],
                });
              } else {
                llm.setUsage('anthropic', {
                  input_tokens: prompt - cached,
                  cache_creation_input_tokens: 0,
                  cache_read_input_tokens: cached,
                  output_tokens: completion,
                });
                await anthropic.messages.create({
                  model,
                  max_tokens: 1024,
                  messages: [{ role: 'user', content: 'Draft the reply to this customer' }],
                });
              }
            },
          );
          calls++;
        }
      }
    }
    await tollgate.shutdown({ timeoutMs: 60_000 });
  } finally {
    await llm.close();
  }
  const stats = tollgate.stats();
  if (rejected.length > 0 || stats.accepted + stats.duplicate < calls) {
    throw new Error(`the demo traffic was not all accepted (${stats.accepted} of ${calls}): ${rejected.slice(0, 3).join('; ')}`);
  }
  return calls;
}
