import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FakeIngest } from '../test/fake-ingest';
import { Tollgate, type TollgateOptions } from './client';
import { BudgetExceededError } from './errors';
import type { DropReason, WireEvent } from './types';

/** A full garbage collection, to measure what is retained rather than what is not yet collected. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const call = { provider: 'openai', model: 'gpt-4o-mini', usage: { input_tokens: 10, output_tokens: 5 } };

describe('Tollgate client', () => {
  let ingest: FakeIngest;
  const clients: Tollgate[] = [];

  beforeEach(async () => {
    ingest = await new FakeIngest().start();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.shutdown({ timeoutMs: 100 });
    await ingest.close();
  });

  function client(options: TollgateOptions = {}): Tollgate {
    const c = new Tollgate({ apiKey: 'tg_ingest_test', baseUrl: ingest.url, customer: 'cus_1', retryBaseMs: 5, ...options });
    clients.push(c);
    return c;
  }

  it('delivers with the ingest key, in the wire format of API.md', async () => {
    const tollgate = client();
    const id = tollgate.track({ ...call, cost: '0.0001', feature: 'search', metadata: { run: '7' } });
    await tollgate.flush();
    expect(ingest.requests[0].authorization).toBe('Bearer tg_ingest_test');
    expect(ingest.stored.get(id)).toEqual({
      transaction_id: id,
      external_customer_id: 'cus_1',
      timestamp: expect.any(Number),
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { input_tokens: 10, output_tokens: 5 },
      cost: '0.0001',
      feature: 'search',
      metadata: { run: '7' },
    });
    expect(tollgate.stats()).toMatchObject({ accepted: 1, queued: 0, inFlight: 0 });
  });

  it('answered 503 twice then 200: retries with the same transaction id, and the event is stored once', async () => {
    ingest.script.push(
      { status: 503, headers: { 'retry-after': '0' }, body: { error: { code: 'unavailable', message: 'db down' } } },
      { status: 503, body: { error: { code: 'unavailable', message: 'db down' } } },
    );
    const tollgate = client();
    const id = tollgate.track(call);
    await tollgate.flush();
    expect(ingest.sentIds()).toEqual([id, id, id]);
    expect([...ingest.stored.keys()]).toEqual([id]);
    expect(tollgate.stats()).toMatchObject({ accepted: 1, retries: 2, dropped: 0 });
  });

  it('a delivery the API already stored comes back duplicate, not a second charge', async () => {
    const tollgate = client();
    const id = tollgate.track({ ...call, transactionId: 'call-42' });
    tollgate.track({ ...call, transactionId: 'call-42' });
    await tollgate.flush();
    expect(id).toBe('call-42');
    expect(ingest.stored.size).toBe(1);
    expect(tollgate.stats()).toMatchObject({ accepted: 1, duplicate: 1 });
  });

  it('waits at least what Retry-After says before sending again', async () => {
    ingest.script.push({ status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'rate_limited', message: '' } } });
    const tollgate = client();
    tollgate.track(call);
    await tollgate.flush();
    expect(ingest.requests).toHaveLength(2);
    expect(ingest.requests[1].at - ingest.requests[0].at).toBeGreaterThanOrEqual(950);
  });

  it('does not retry a request the API refuses (4xx other than 429) and reports it', async () => {
    ingest.script.push({ status: 401, body: { error: { code: 'unauthorized', message: 'bad key' } } });
    const errors: Error[] = [];
    const drops: Array<[readonly WireEvent[], DropReason]> = [];
    const tollgate = client({ onError: (e) => errors.push(e), onDrop: (events, reason) => drops.push([events, reason]) });
    const id = tollgate.track(call);
    await tollgate.flush();
    expect(ingest.requests).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'TollgateDeliveryError', status: 401, code: 'unauthorized', transactionIds: [id] });
    expect(drops).toEqual([[[expect.objectContaining({ transaction_id: id })], 'delivery_failed']]);
  });

  it('gives up after maxRetries and reports the events as dropped', async () => {
    for (let i = 0; i < 3; i++) ingest.script.push({ status: 500 });
    const reasons: DropReason[] = [];
    const tollgate = client({ maxRetries: 2, onDrop: (_events, reason) => reasons.push(reason) });
    tollgate.track(call);
    await tollgate.flush();
    expect(ingest.requests).toHaveLength(3);
    expect(reasons).toEqual(['delivery_failed']);
    expect(tollgate.stats()).toMatchObject({ dropped: 1, retries: 2 });
  });

  it('reports an event the API rejects, with its code', async () => {
    ingest.reject = (event) => (event.model === 'bad' ? { code: 'invalid_event', message: 'usage.images too large' } : undefined);
    const errors: Error[] = [];
    const tollgate = client({ onError: (e) => errors.push(e) });
    tollgate.track(call);
    const bad = tollgate.track({ ...call, model: 'bad' });
    await tollgate.flush();
    expect(tollgate.stats()).toMatchObject({ accepted: 1, rejected: 1 });
    expect(errors).toEqual([expect.objectContaining({ code: 'invalid_event', transactionIds: [bad] })]);
  });

  it('batches by size', async () => {
    const tollgate = client({ maxBatchSize: 10, flushIntervalMs: 60_000 });
    for (let i = 0; i < 25; i++) tollgate.track(call);
    // Two full batches go without a flush (the interval is a minute away); however slow the machine, no third.
    for (let waited = 0; ingest.requests.length < 2 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ingest.requests.map((r) => r.events.length)).toEqual([10, 10]);
    await tollgate.flush();
    expect(ingest.requests.map((r) => r.events.length)).toEqual([10, 10, 5]);
  });

  it('batches by time: a partial batch goes after flushIntervalMs without a flush', async () => {
    const tollgate = client({ flushIntervalMs: 30 });
    for (let i = 0; i < 3; i++) tollgate.track(call);
    expect(ingest.requests).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ingest.requests.map((r) => r.events.length)).toEqual([3]);
  });

  it('splits a batch the API finds too large (413)', async () => {
    ingest.intercept = (events) =>
      events.length > 4 ? { status: 413, body: { error: { code: 'payload_too_large', message: '' } } } : undefined;
    const tollgate = client({ maxBatchSize: 10 });
    for (let i = 0; i < 10; i++) tollgate.track(call);
    await tollgate.flush();
    expect(ingest.stored.size).toBe(10);
  });

  it('a full queue drops new events with a counter and onDrop, and memory stays bounded', async () => {
    const dropped = new Map<DropReason, number>();
    const onDrop = (events: readonly WireEvent[], reason: DropReason): void => {
      dropped.set(reason, (dropped.get(reason) ?? 0) + events.length);
    };
    const tollgate = client({ maxQueueSize: 1_000, maxBatchSize: 1_000, flushIntervalMs: 60_000, onDrop });
    const gc = collector();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200_000; i++) tollgate.track({ ...call, metadata: { prompt_id: `p-${i}` } });
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    expect(tollgate.stats()).toMatchObject({ queued: 1_000, dropped: 199_000 });
    expect(dropped).toEqual(new Map([['queue_full', 199_000]]));
    // 200k retained events would take about 130 MB; the queue holds 1,000 (under 1 MB).
    expect(retained).toBeLessThan(8 * 1024 * 1024);
    await tollgate.flush();
    expect(ingest.stored.size).toBe(1_000);
  });

  it('track never throws into the agent: bad input and a throwing callback are reported, not raised', () => {
    const errors: string[] = [];
    const tollgate = client({
      customer: undefined,
      onError: (e) => {
        errors.push(e.message);
        throw new Error('callback bug');
      },
    });
    expect(() => tollgate.track(call)).not.toThrow();
    expect(() => tollgate.track({ ...call, customer: 'c', usage: null as never })).not.toThrow();
    expect(() => tollgate.track({ ...call, customer: 'c', usage: { input_tokens: -1 } })).not.toThrow();
    expect(() => tollgate.track({ ...call, customer: 'c', usage: { tokens: 1 } as never })).not.toThrow();
    expect(() => tollgate.track(undefined as never)).not.toThrow();
    expect(errors).toHaveLength(5);
    expect(errors[0]).toContain('no customer');
    expect(tollgate.stats()).toMatchObject({ queued: 0, dropped: 4 });
  });

  it('sends a call whose usage could not be read as usage_unknown, counts it and warns, never as zero usage', async () => {
    const warnings: unknown[] = [];
    const tollgate = client({ onWarning: (w) => warnings.push(w) });
    // What a hand-tracked call looks like when the normaliser read nothing: `...normaliseGeminiUsage(x)`.
    const id = tollgate.track({ provider: 'google', model: 'gemini-2.5-flash', usage: {}, status: 'usage_unknown' });
    tollgate.track(call);
    await tollgate.flush();
    expect(ingest.stored.get(id)).toMatchObject({ status: 'usage_unknown', usage: {} });
    expect(tollgate.stats()).toMatchObject({ accepted: 2, usageUnknown: 1 });
    expect(warnings).toEqual([
      {
        code: 'usage_unknown',
        message: expect.stringContaining('google gemini-2.5-flash'),
        transactionId: id,
        provider: 'google',
        model: 'gemini-2.5-flash',
      },
    ]);
  });

  it('after shutdown, new events are dropped as shutdown', async () => {
    const reasons: DropReason[] = [];
    const tollgate = client({ onDrop: (_e, reason) => reasons.push(reason) });
    tollgate.track(call);
    await tollgate.shutdown();
    tollgate.track(call);
    expect(ingest.stored.size).toBe(1);
    expect(reasons).toEqual(['shutdown']);
  });

  it('shutdown stops waiting on an API that stays down after its timeout', async () => {
    ingest.intercept = () => ({ status: 503, headers: { 'retry-after': '30' } });
    const reasons: DropReason[] = [];
    const tollgate = client({ onDrop: (_e, reason) => reasons.push(reason) });
    tollgate.track(call);
    await tollgate.shutdown({ timeoutMs: 200 });
    expect(reasons).toEqual(['delivery_failed']);
  }, 10_000);

  describe('attribution', () => {
    it('task() gives every call inside its id, customer and feature, through async code', async () => {
      const tollgate = client({ customer: undefined });
      let taskId = '';
      const ids = await tollgate.task('summarise-ticket', { customer: 'acme', feature: 'support' }, async () => {
        const first = tollgate.track(call);
        await new Promise((resolve) => setTimeout(resolve, 5));
        const second = await Promise.resolve().then(() => tollgate.track(call));
        const inner = tollgate.task('classify', { feature: 'triage' }, () => tollgate.track(call));
        return [first, second, inner];
      });
      const outside = tollgate.track(call);
      await tollgate.flush();
      const [first, second, inner] = ids.map((id) => ingest.stored.get(id)!);
      taskId = first.task_id as string;
      expect(first).toMatchObject({ external_customer_id: 'acme', feature: 'support', metadata: { task_name: 'summarise-ticket' } });
      expect(second.task_id).toBe(taskId);
      expect(inner).toMatchObject({ external_customer_id: 'acme', feature: 'triage', metadata: { task_name: 'classify' } });
      expect(inner.task_id).not.toBe(taskId);
      expect(ingest.stored.get(outside)).toBeUndefined();
    });
  });

  describe('budget guard', () => {
    it('refuses a customer out of budget with BudgetExceededError, asking the API at most once per cache period', async () => {
      ingest.entitlements.set('broke', { allowed: false, reason: 'credits_exhausted' });
      ingest.entitlements.set('rich', { allowed: true });
      const tollgate = client({ budgetGuard: { cacheMs: 60_000 } });
      await expect(tollgate.checkBudget('broke')).rejects.toBeInstanceOf(BudgetExceededError);
      await expect(tollgate.checkBudget('broke')).rejects.toMatchObject({ customer: 'broke', reason: 'credits_exhausted' });
      await Promise.all([tollgate.checkBudget('rich'), tollgate.checkBudget('rich'), tollgate.checkBudget('rich')]);
      await tollgate.checkBudget('new-customer');
      expect(ingest.entitlementRequests).toEqual(['broke', 'rich', 'new-customer']);
    });

    it('fails open when the API cannot answer, or closed if asked', async () => {
      const down = new Tollgate({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', flushOnExit: false, budgetGuard: true });
      await expect(down.checkBudget('c')).resolves.toBeUndefined();
      const strict = new Tollgate({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', flushOnExit: false, budgetGuard: { failOpen: false } });
      await expect(strict.checkBudget('c')).rejects.toMatchObject({ reason: 'entitlement_unavailable' });
    });
  });
});
