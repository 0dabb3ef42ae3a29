import { createHmac } from 'node:crypto';
import { PublishWebhookEvent } from '@tollgate/billing';
import { Transactions } from '@tollgate/db';
import { DatabaseProbe, startWebhookReceiver, startWorker, waitFor, type WebhookReceiver, type WorkerProcess } from '@tollgate/testing';
import {
  startTestApi,
  type CreatedWebhookEndpointBody,
  type EntitlementBody,
  type TestApi,
  type WebhookDeliveryBody,
  type WebhookDeliveryListBody,
} from '@tollgate/testing/api-harness';
import { startTestBilling, type TestBilling } from '@tollgate/testing/billing-harness';

// Outbound webhooks end to end: the real api, two real worker processes sharing the queue, and a receiver this
// test owns. Events come from a priced batch crossing a usage alert (through the api and the pricing worker) or
// from PublishWebhookEvent called beside the api (as the invoice and credit use cases will call it). Retries
// are fast here (WEBHOOK_RETRY_BASE_SECONDS=0.2); libs/billing's medium tests check the real schedule.

let api: TestApi;
let billing: TestBilling;
let probe: DatabaseProbe;
let receiver: WebhookReceiver;
let workers: WorkerProcess[] = [];
let organizationId: string;
let seq = 0;

const workerEnv = () => ({
  DATABASE_URL: api.databaseUrl,
  REDIS_URL: api.config.redisUrl,
  QUEUE_PREFIX: api.config.queuePrefix,
  SWEEP_INTERVAL_SECONDS: '1',
  RATE_POLL_SECONDS: '1',
  WEBHOOK_RETRY_BASE_SECONDS: '0.2',
  WEBHOOK_RETRY_MAX_DELAY_SECONDS: '1',
});

async function endpoint(path: string, events: string[]): Promise<{ id: string; secret: string }> {
  const res = await api.request<CreatedWebhookEndpointBody>('POST', '/v1/webhook_endpoints', { url: receiver.url(path), events });
  expect(res.status).toBe(201);
  return res.body;
}

const deliveries = async (endpointId: string) =>
  (await api.request<WebhookDeliveryListBody>('GET', `/v1/webhook_deliveries?endpoint_id=${endpointId}`)).body.data;

async function delivered(endpointId: string, count = 1) {
  await waitFor(
    async () => (await deliveries(endpointId)).filter((d) => d.status === 'delivered').length >= count,
    30_000,
    `${count} deliveries to ${endpointId}\n${workers.map((w) => w.output()).join('\n')}`,
  );
}

/** Nothing left to price or to deliver: whatever was going to be sent has been. */
async function settled() {
  await waitFor(
    async () =>
      (await probe.count('ingest_batches', 'priced_at IS NULL')) === 0 &&
      (await probe.count('webhook_deliveries', "status = 'pending'")) === 0,
    30_000,
    'pricing and deliveries settled',
  );
}

function verifies(secret: string, header: string | string[] | undefined, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(header));
  return m !== null && createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex') === m[2];
}

const publish = (type: 'invoice.finalized' | 'invoice.paid' | 'credits.exhausted' | 'invoice.payment_failed', subjectKey: string) =>
  billing.get(PublishWebhookEvent).execute({ organizationId, type, subjectKey, payload: { subject: subjectKey } });

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  api = await startTestApi();
  probe = new DatabaseProbe(api.databaseUrl);
  billing = await startTestBilling({ DATABASE_URL: api.databaseUrl, QUEUE_PREFIX: api.config.queuePrefix });
  organizationId = (await probe.rows<{ id: string }>('SELECT id::text FROM organizations WHERE is_default'))[0].id;
  // A dollar a call: 1,000 input tokens at 1,000 per million.
  const plan = await api.request('PUT', '/v1/plans/default', {
    name: 'A dollar a call',
    currency: 'USD',
    effective_from: new Date(Date.now() - 86_400_000 * 40).toISOString(),
    charges: [
      {
        name: 'calls',
        models: ['*'],
        mode: 'token',
        token_prices: { input_tokens: '1000', output_tokens: '0' },
        margin_floor: null,
        allowance_eligible: true,
      },
    ],
  });
  expect(plan.status).toBe(200);
  workers = [startWorker(workerEnv()), startWorker(workerEnv())];
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await billing?.close();
  await probe?.close();
  await api?.close();
  await receiver?.close();
});

describe('webhooks through the api and two workers', () => {
  it('a priced batch crossing a usage alert sends usage.threshold_crossed once, signed; a replay sends it again', async () => {
    const ep = await endpoint('/alerts', ['usage.threshold_crossed']);
    expect((await api.request('POST', '/v1/customers', { external_id: 'acme' })).status).toBe(201);
    expect((await api.request('PUT', '/v1/customers/acme/usage_alerts', { thresholds: ['3.00'] })).status).toBe(200);

    // Six one-call batches at once, priced by two workers: several of them see the period past 3.00.
    const call = () => ({
      transaction_id: `alert-${seq++}`,
      external_customer_id: 'acme',
      provider: 'openai',
      model: 'gpt-4o',
      usage: { input_tokens: 1000, output_tokens: 0 },
    });
    const sent = await Promise.all(Array.from({ length: 6 }, () => api.request('POST', '/v1/events', { events: [call()] }, api.ingestKey)));
    expect(sent.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await delivered(ep.id);
    await settled();

    expect((await api.request<EntitlementBody>('GET', '/v1/customers/acme/entitlement')).body.period_usage).toBe('6.00');
    const got = receiver.receivedAt('/alerts');
    expect(got).toHaveLength(1);
    expect(verifies(ep.secret, got[0].headers['tollgate-signature'], got[0].body)).toBe(true);
    const body = JSON.parse(got[0].body) as { id: string; data: { period_usage: string } };
    expect(body).toMatchObject({
      type: 'usage.threshold_crossed',
      data: { external_customer_id: 'acme', threshold: '3', currency: 'USD' },
    });
    expect(Number(body.data.period_usage)).toBeGreaterThanOrEqual(3);
    expect(got[0].headers['tollgate-event-id']).toBe(body.id);
    expect(await probe.count('webhook_events', "type = 'usage.threshold_crossed'")).toBe(1);

    const [first] = await deliveries(ep.id);
    expect(first).toMatchObject({
      event_id: body.id,
      event_type: 'usage.threshold_crossed',
      status: 'delivered',
      replay: 0,
      attempts: [{ number: 1, status_code: 200, outcome: 'succeeded', error: null }],
    });
    const replay = await api.request<WebhookDeliveryBody>('POST', `/v1/webhook_deliveries/${first.id}/replay`);
    expect(replay.status).toBe(201);
    expect(replay.body).toMatchObject({ event_id: body.id, endpoint_id: ep.id, replay: 1 });
    await delivered(ep.id, 2);
    const again = receiver.receivedAt('/alerts');
    expect(again).toHaveLength(2);
    expect(again[1].body).toBe(again[0].body);
    expect(again[1].headers['tollgate-delivery-id']).toBe(replay.body.id);
  });

  it('retries a receiver answering 500 with backoff until it takes the delivery', async () => {
    const ep = await endpoint('/flaky', ['invoice.finalized']);
    receiver.answer('/flaky', 500, 500);
    await publish('invoice.finalized', `invoice:${seq++}`);
    await delivered(ep.id);
    const [d] = await deliveries(ep.id);
    expect(d.attempts.map((a) => [a.number, a.status_code, a.outcome])).toEqual([
      [1, 500, 'failed'],
      [2, 500, 'failed'],
      [3, 200, 'succeeded'],
    ]);
    // Each failure scheduled the next attempt, and the next attempt waited for it. (A null time is NaN: it fails
    // every comparison.)
    const time = (t: string | null) => (t === null ? NaN : Date.parse(t));
    for (const i of [0, 1]) {
      expect(d.attempts[i].next_attempt_at).not.toBeNull();
      expect(time(d.attempts[i + 1].started_at)).toBeGreaterThanOrEqual(time(d.attempts[i].next_attempt_at) - 1000);
      expect(time(d.attempts[i].next_attempt_at)).toBeGreaterThan(time(d.attempts[i].finished_at));
    }
    expect(receiver.receivedAt('/flaky')).toHaveLength(3);
  });

  it('delivers to a fast receiver while a slow one holds its request', async () => {
    const slow = await endpoint('/slow', ['invoice.paid']);
    const fast = await endpoint('/fast', ['invoice.paid']);
    let release!: () => void;
    receiver.answer('/slow', { status: 200, until: new Promise<void>((r) => (release = r)) });
    await publish('invoice.paid', `invoice:${seq++}`);
    await delivered(fast.id);
    // The slow receiver has the request and has not answered: its attempt is still in flight.
    expect(receiver.receivedAt('/slow')).toHaveLength(1);
    expect((await deliveries(slow.id))[0]).toMatchObject({ status: 'pending', attempts: [{ number: 1, outcome: 'in_flight' }] });
    release();
    await delivered(slow.id);
    expect((await deliveries(slow.id))[0].attempts).toEqual([
      expect.objectContaining({ number: 1, status_code: 200, outcome: 'succeeded' }),
    ]);
  });

  it('sends one event once when many publishers see the same condition at once', async () => {
    const ep = await endpoint('/once', ['credits.exhausted']);
    const results = await Promise.all(Array.from({ length: 20 }, () => publish('credits.exhausted', 'customer:raced:credits')));
    expect(results.filter((r) => r.eventId !== null)).toHaveLength(1);
    await delivered(ep.id);
    await settled();
    expect(receiver.receivedAt('/once')).toHaveLength(1);
    expect(await probe.count('webhook_events', "subject_key = 'customer:raced:credits'")).toBe(1);
  });

  it('sends a delivery whose job never reached Redis: the sweeper finds it in Postgres', async () => {
    const ep = await endpoint('/swept', ['invoice.payment_failed']);
    // Published and committed, never dispatched (as if Redis were down at the publisher's commit).
    const publisher = billing.get(PublishWebhookEvent);
    await billing
      .get(Transactions)
      .run((tx) => publisher.publish(tx, { organizationId, type: 'invoice.payment_failed', subjectKey: `invoice:${seq++}`, payload: {} }));
    await delivered(ep.id);
    expect(receiver.receivedAt('/swept')).toHaveLength(1);
  });
});
