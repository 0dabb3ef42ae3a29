import { createHmac } from 'node:crypto';
import { Transactions, WebhookDeliveriesRepository } from '@tollgate/db';
import { freePort, startWebhookReceiver, type WebhookReceiver } from '@tollgate/testing';
import { startTestBilling, type TestBilling } from '@tollgate/testing/billing-harness';
import { CreateOrganization } from '../organizations/create-organization';
import { CreateWebhookEndpoint } from './create-webhook-endpoint';
import { DeliverWebhook } from './deliver-webhook';
import { DisableWebhookEndpoint } from './disable-webhook-endpoint';
import { GetWebhookDelivery } from './get-webhook-delivery';
import { PublishWebhookEvent } from './publish-webhook-event';
import { ReplayWebhookDelivery } from './replay-webhook-delivery';
import { SweepWebhookDeliveries } from './sweep-webhook-deliveries';
import { WebhookQueue } from './webhook-queue';

// Publishing and delivering webhooks with the real repositories, Postgres, Redis and a receiver this test owns:
// one event per subject, a signature the receiver can check, retries scheduled with backoff, a delivery sent
// once however many jobs run it, replays, and the sweeper's refill from Postgres. The queue's jobs are not
// run here (no worker): DeliverWebhook is called as the worker's processor would.

let billing: TestBilling;
let receiver: WebhookReceiver;
let organizationId: string;
let seq = 0;

const HOUR = 3_600_000;
const deliver = (deliveryId: string) => billing.get(DeliverWebhook).execute({ deliveryId });
const delivery = (id: string) => billing.get(GetWebhookDelivery).execute({ organizationId, id });

async function endpoint(path: string, events = ['invoice.finalized']) {
  return billing
    .get(CreateWebhookEndpoint)
    .execute({ organizationId, url: receiver.url(path), events: events as never, description: null });
}

async function publish(subject = `invoice:${seq++}`, payload: Record<string, unknown> = { invoice_id: subject, total: '12.30' }) {
  return billing.get(PublishWebhookEvent).execute({ organizationId, type: 'invoice.finalized', subjectKey: subject, payload });
}

/** A new endpoint at `path` and one event published to it: its one delivery's id. */
async function oneDelivery(path: string) {
  const ep = await endpoint(path);
  const published = await publish();
  const rows = await billing.probe.rows<{ id: string }>(
    'SELECT id::text FROM webhook_deliveries WHERE endpoint_id = $1 AND event_id = $2',
    [ep.id, published.eventId],
  );
  expect(rows).toHaveLength(1);
  return { endpoint: ep, eventId: published.eventId!, deliveryId: rows[0].id };
}

/** Receivers check this: the HMAC of "<t>.<raw body>" under the endpoint's secret. */
function verifies(secret: string, header: string, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  return (
    m !== null &&
    createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex') === m[2] &&
    Math.abs(Date.now() / 1000 - Number(m[1])) < 300
  );
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  billing = await startTestBilling({ WEBHOOK_TIMEOUT_SECONDS: '1' });
  organizationId = (await billing.get(CreateOrganization).execute({ name: 'webhooks' })).id;
});

afterAll(async () => {
  await billing?.close();
  await receiver?.close();
});

describe('publishing an event', () => {
  it('makes one delivery to each enabled endpoint subscribed to its type, and no other', async () => {
    const subscribed = await endpoint('/pub/a');
    const other = await endpoint('/pub/b', ['invoice.paid']);
    const disabled = await endpoint('/pub/c');
    await billing.get(DisableWebhookEndpoint).execute({ organizationId, id: disabled.id });
    const published = await publish();
    const endpoints = await billing.probe.rows<{ endpoint_id: string }>(
      'SELECT endpoint_id::text FROM webhook_deliveries WHERE event_id = $1',
      [published.eventId],
    );
    const ids = endpoints.map((e) => e.endpoint_id);
    expect(ids).toContain(subscribed.id);
    expect(ids).not.toContain(other.id);
    expect(ids).not.toContain(disabled.id);
    expect(published.deliveries).toHaveLength(ids.length);
  });

  it('publishes once per subject however many publishers see the condition at once', async () => {
    await endpoint('/race');
    const before = await billing.probe.count('webhook_deliveries');
    const results = await Promise.all(Array.from({ length: 12 }, () => publish('invoice:raced', { invoice_id: 'raced' })));
    expect(results.filter((r) => r.eventId !== null)).toHaveLength(1);
    expect(await billing.probe.count('webhook_events', "subject_key = 'invoice:raced'")).toBe(1);
    const endpoints = await billing.probe.count(
      'webhook_endpoints',
      `disabled_at IS NULL AND 'invoice.finalized' = ANY(events) AND organization_id = $1`,
      [organizationId],
    );
    expect((await billing.probe.count('webhook_deliveries')) - before).toBe(endpoints);
    // Later, the same subject again: nothing.
    expect((await publish('invoice:raced')).eventId).toBeNull();
  });

  it("joins the caller's transaction: rolled back with it, nothing is published", async () => {
    const publisher = billing.get(PublishWebhookEvent);
    await expect(
      billing.get(Transactions).run(async (tx) => {
        await publisher.publish(tx, { organizationId, type: 'invoice.finalized', subjectKey: 'invoice:rolled-back', payload: {} });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await billing.probe.count('webhook_events', "subject_key = 'invoice:rolled-back'")).toBe(0);
  });
});

describe('delivering', () => {
  it('POSTs the event signed with the endpoint secret, and a 2xx delivers it', async () => {
    const { endpoint: ep, eventId, deliveryId } = await oneDelivery('/signed');
    expect(ep.secret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);
    expect(await deliver(deliveryId)).toMatchObject({ outcome: 'delivered', attempt: 1, statusCode: 200 });
    const [got] = receiver.receivedAt('/signed');
    expect(got.headers['tollgate-event-id']).toBe(eventId);
    expect(got.headers['tollgate-event-type']).toBe('invoice.finalized');
    expect(got.headers['content-type']).toBe('application/json');
    expect(verifies(ep.secret, String(got.headers['tollgate-signature']), got.body)).toBe(true);
    expect(verifies('whsec_someone_else', String(got.headers['tollgate-signature']), got.body)).toBe(false);
    const body = JSON.parse(got.body);
    expect(body).toEqual({
      id: eventId,
      type: 'invoice.finalized',
      created_at: expect.any(String),
      data: { invoice_id: expect.any(String), total: '12.30' },
    });
    const row = await delivery(deliveryId);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, next_attempt_at: null, delivered_at: expect.any(Date) });
    expect(row.tries).toEqual([
      expect.objectContaining({
        number: 1,
        status_code: 200,
        error: null,
        outcome: 'succeeded',
        next_attempt_at: null,
        duration_ms: expect.any(Number),
      }),
    ]);
  });

  it('never sends a delivered delivery again, and sends once however many jobs run it at once', async () => {
    const { deliveryId } = await oneDelivery('/once');
    const results = await Promise.all(Array.from({ length: 8 }, () => deliver(deliveryId)));
    expect(results.filter((r) => r.outcome === 'delivered')).toHaveLength(1);
    expect(receiver.receivedAt('/once')).toHaveLength(1);
    expect(await deliver(deliveryId)).toEqual({ outcome: 'skipped', reason: 'the delivery is delivered' });
    expect(receiver.receivedAt('/once')).toHaveLength(1);
  });

  it('records a 500 and retries it with backoff, then delivers', async () => {
    const { deliveryId } = await oneDelivery('/flaky');
    receiver.answer('/flaky', 500);
    const before = Date.now();
    const first = await deliver(deliveryId);
    const after = Date.now();
    expect(first).toMatchObject({ outcome: 'retrying', attempt: 1, statusCode: 500, error: 'HTTP 500' });
    // WEBHOOK_RETRY_BASE_SECONDS (30 s) after the first failure, jittered within its second half.
    const next = (first as { nextAttemptAt: Date }).nextAttemptAt.getTime();
    expect(next).toBeGreaterThanOrEqual(before + 15_000);
    expect(next).toBeLessThanOrEqual(after + 30_000);
    let row = await delivery(deliveryId);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: new Date(next) });
    expect(row.tries[0]).toMatchObject({
      number: 1,
      status_code: 500,
      error: 'HTTP 500',
      outcome: 'failed',
      next_attempt_at: new Date(next),
    });
    // The next attempt waits in the queue until it is due.
    const job = await billing.get(WebhookQueue).queue.getJob(`${deliveryId}.2`);
    expect(job?.data).toEqual({ deliveryId });
    expect(job!.timestamp + job!.opts.delay!).toBeGreaterThanOrEqual(next - 50);

    // A job run early sends nothing.
    expect(await deliver(deliveryId)).toEqual({ outcome: 'skipped', reason: 'its next attempt is not due' });
    expect(receiver.receivedAt('/flaky')).toHaveLength(1);

    // Its time comes: the second attempt is delivered.
    await billing.probe.rows('UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = $1', [deliveryId]);
    expect(await deliver(deliveryId)).toMatchObject({ outcome: 'delivered', attempt: 2 });
    row = await delivery(deliveryId);
    expect(row.status).toBe('delivered');
    expect(row.tries.map((t) => [t.number, t.status_code, t.outcome])).toEqual([
      [1, 500, 'failed'],
      [2, 200, 'succeeded'],
    ]);
    expect(receiver.receivedAt('/flaky').map((r) => JSON.parse(r.body).id)).toEqual([row.event_id, row.event_id]);
  });

  it('waits longer after each failure', async () => {
    const { deliveryId } = await oneDelivery('/down');
    receiver.answer('/down', 503, 503, 503, 503);
    const gaps: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      await billing.probe.rows('UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = $1', [deliveryId]);
      const r = (await deliver(deliveryId)) as { attempt: number; nextAttemptAt: Date };
      expect(r.attempt).toBe(attempt);
      gaps.push(r.nextAttemptAt.getTime() - Date.now());
    }
    // 30 s, 60 s, 120 s, 240 s before jitter; each at least half of its full delay.
    [15_000, 30_000, 60_000, 120_000].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 1000));
    [30_000, 60_000, 120_000, 240_000].forEach((max, i) => expect(gaps[i]).toBeLessThanOrEqual(max));
  });

  it('counts a receiver that does not answer in time as a failed attempt', async () => {
    const { deliveryId } = await oneDelivery('/slow');
    let release!: () => void;
    receiver.answer('/slow', { status: 200, until: new Promise<void>((r) => (release = r)) });
    expect(await deliver(deliveryId)).toMatchObject({ outcome: 'retrying', statusCode: null, error: 'timed out after 1 s' });
    release();
    expect((await delivery(deliveryId)).tries[0]).toMatchObject({
      outcome: 'failed',
      error: 'timed out after 1 s',
      duration_ms: expect.any(Number),
    });
  });

  it('records a receiver that cannot be reached', async () => {
    const ep = await billing.get(CreateWebhookEndpoint).execute({
      organizationId,
      url: `http://127.0.0.1:${await freePort()}/nothing-listens`,
      events: ['invoice.paid'],
      description: null,
    });
    const published = await billing
      .get(PublishWebhookEvent)
      .execute({ organizationId, type: 'invoice.paid', subjectKey: `invoice:${seq++}`, payload: {} });
    const [{ id }] = await billing.probe.rows<{ id: string }>(
      'SELECT id::text FROM webhook_deliveries WHERE endpoint_id = $1 AND event_id = $2',
      [ep.id, published.eventId],
    );
    expect(await deliver(id)).toMatchObject({ outcome: 'retrying', statusCode: null, error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('gives up after 24 hours of failures: failed, never sent again', async () => {
    const { deliveryId } = await oneDelivery('/gone');
    receiver.answer('/gone', 500);
    await billing.probe.rows(`UPDATE webhook_deliveries SET created_at = now() - interval '23 hours 59 minutes 50 seconds' WHERE id = $1`, [
      deliveryId,
    ]);
    expect(await deliver(deliveryId)).toMatchObject({ outcome: 'failed', attempt: 1, nextAttemptAt: null });
    expect(await delivery(deliveryId)).toMatchObject({ status: 'failed', next_attempt_at: null });
    expect(await deliver(deliveryId)).toEqual({ outcome: 'skipped', reason: 'the delivery is failed' });
    expect(receiver.receivedAt('/gone')).toHaveLength(1);
  });

  it('takes over an attempt whose worker died before recording it, once its lease is over', async () => {
    const { deliveryId } = await oneDelivery('/orphan');
    // A worker claimed attempt 1, then died: nothing recorded, the delivery leased.
    const claimed = await billing.get(WebhookDeliveriesRepository).claim(deliveryId, 0, HOUR);
    expect(claimed?.attempt).toBe(1);
    expect(await deliver(deliveryId)).toEqual({ outcome: 'skipped', reason: 'its next attempt is not due' });
    await billing.probe.rows('UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = $1', [deliveryId]);
    expect(await deliver(deliveryId)).toMatchObject({ outcome: 'delivered', attempt: 2 });
    expect((await delivery(deliveryId)).tries.map((t) => [t.number, t.outcome, t.error])).toEqual([
      [1, 'failed', 'no outcome recorded: the worker stopped during the attempt'],
      [2, 'succeeded', null],
    ]);
  });
});

describe('replaying, disabling, sweeping', () => {
  it('replays a delivery as a new one: the same event again to the same endpoint', async () => {
    const { endpoint: ep, eventId, deliveryId } = await oneDelivery('/replay');
    await deliver(deliveryId);
    const replay = await billing.get(ReplayWebhookDelivery).execute({ organizationId, id: deliveryId });
    expect(replay).toMatchObject({ event_id: eventId, endpoint_id: ep.id, replay: 1, status: 'pending', attempts: 0 });
    expect(replay.id).not.toBe(deliveryId);
    expect(await billing.get(WebhookQueue).queue.getJob(`${replay.id}.1`)).toBeDefined();
    expect(await deliver(replay.id)).toMatchObject({ outcome: 'delivered' });
    const [first, second] = receiver.receivedAt('/replay');
    expect(second.body).toBe(first.body);
    expect(second.headers['tollgate-event-id']).toBe(eventId);
    expect(second.headers['tollgate-delivery-id']).toBe(replay.id);
    expect((await billing.get(ReplayWebhookDelivery).execute({ organizationId, id: replay.id })).replay).toBe(2);
    expect((await delivery(deliveryId)).status).toBe('delivered');
  });

  it('disabling an endpoint cancels what it had pending and refuses replays to it', async () => {
    const { endpoint: ep, deliveryId } = await oneDelivery('/disabled');
    await billing.get(DisableWebhookEndpoint).execute({ organizationId, id: ep.id });
    expect((await delivery(deliveryId)).status).toBe('canceled');
    expect(await deliver(deliveryId)).toEqual({ outcome: 'skipped', reason: 'the delivery is canceled' });
    await expect(billing.get(ReplayWebhookDelivery).execute({ organizationId, id: deliveryId })).rejects.toMatchObject({
      code: 'endpoint_disabled',
    });
    expect(receiver.receivedAt('/disabled')).toHaveLength(0);
  });

  it('a delivery left pending for an endpoint disabled meanwhile is canceled, not sent', async () => {
    const { endpoint: ep, deliveryId } = await oneDelivery('/late-disable');
    // As if published by a transaction that read the endpoint before the disable committed.
    await billing.probe.rows('UPDATE webhook_endpoints SET disabled_at = now() WHERE id = $1', [ep.id]);
    expect(await deliver(deliveryId)).toEqual({ outcome: 'skipped', reason: 'the endpoint is disabled' });
    expect((await delivery(deliveryId)).status).toBe('canceled');
  });

  it('the sweeper gives the queue back an overdue delivery whose job was lost, once', async () => {
    const { deliveryId } = await oneDelivery('/swept');
    const queue = billing.get(WebhookQueue).queue;
    await (await queue.getJob(`${deliveryId}.1`))!.remove();
    await billing.probe.rows(`UPDATE webhook_deliveries SET next_attempt_at = now() - interval '1 hour' WHERE id = $1`, [deliveryId]);
    const swept = await billing.get(SweepWebhookDeliveries).execute();
    expect(swept.deliveries).toBeGreaterThanOrEqual(1);
    const job = await queue.getJob(`${deliveryId}.1`);
    expect(job?.data).toEqual({ deliveryId });
    await billing.get(SweepWebhookDeliveries).execute();
    const jobs = (await queue.getJobs(['waiting', 'delayed', 'prioritized'])).filter((j) => j.data.deliveryId === deliveryId);
    expect(jobs).toHaveLength(1);
  });
});
