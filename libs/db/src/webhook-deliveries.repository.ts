import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Prisma, PrismaClient } from './generated/prisma/client';
import type { Tx } from './database';
import { DB_POOL, PRISMA } from './tokens';

// Webhook events and their deliveries (docs/design.md, "Webhooks"). Publishing and the admin reads are Prisma;
// an attempt's claim and its outcome are SQL: each is one statement over the delivery and its attempts, guarded
// by the delivery's status and attempt count, so duplicate jobs and racing workers make one send per attempt.

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed' | 'canceled';

export interface WebhookAttemptRow {
  number: number;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  status_code: number | null;
  error: string | null;
  /** succeeded | failed; null while in flight. */
  outcome: string | null;
  /** After a failed attempt: when the next is due (null: delivered or given up). */
  next_attempt_at: Date | null;
}

export interface WebhookDeliveryRow {
  id: string;
  seq: bigint;
  organization_id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  replay: number;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
  /** Every attempt, in order. */
  tries: WebhookAttemptRow[];
}

/** A delivery to hand to the queue: its next attempt's number and when it is due. */
export interface DueDelivery {
  id: string;
  attempt: number;
  dueAt: Date;
}

export interface PublishedEvent {
  /** Null when the (organisation, type, subject key) had its event already: nothing was published. */
  eventId: string | null;
  deliveries: DueDelivery[];
}

/** An attempt this process won: send it, then record its outcome with the same number. */
export interface ClaimedAttempt {
  deliveryId: string;
  attempt: number;
  deliveryCreatedAt: Date;
  url: string;
  secret: string;
  event: { id: string; type: string; created_at: Date; payload: unknown };
}

export interface AttemptOutcome {
  deliveryId: string;
  attempt: number;
  finishedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  /** delivered: a 2xx; pending: failed, retried at nextAttemptAt; failed: failed and given up. */
  status: 'delivered' | 'pending' | 'failed';
  nextAttemptAt: Date | null;
}

export interface DeliveryFilter {
  endpointId?: string;
  eventType?: string;
  eventId?: string;
  /** Newest first: the page after the delivery with this seq. */
  beforeSeq?: bigint;
}

/** What a worker that died mid-attempt left behind, written when the next attempt starts. */
const LOST_ATTEMPT = 'no outcome recorded: the worker stopped during the attempt';

/**
 * Starts attempt attempts + 1 of a pending delivery whose endpoint is enabled and whose next attempt is due
 * (within $2 s, for clocks apart): the delivery is leased for $3 s (an attempt's deadline and a margin; if the
 * worker dies, the attempt is due again after it), the attempt is recorded as started, and an earlier attempt
 * left without outcome is marked lost. Two workers racing for it: the row lock serialises them and the second
 * finds the attempt not due any more.
 */
const CLAIM = `
WITH c AS (
  UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $3::float8), updated_at = now()
  FROM webhook_endpoints p
  WHERE d.id = $1::uuid AND p.id = d.endpoint_id AND d.status = 'pending' AND p.disabled_at IS NULL
    AND d.next_attempt_at <= now() + make_interval(secs => $2::float8)
  RETURNING d.id, d.attempts, d.event_id, d.created_at, p.url, p.secret
), lost AS (
  UPDATE webhook_attempts a SET outcome = 'failed', finished_at = now(), error = $4::text
  FROM c WHERE a.delivery_id = c.id AND a.outcome IS NULL
  RETURNING 1
), started AS (
  INSERT INTO webhook_attempts (delivery_id, number, started_at) SELECT id, attempts, now() FROM c
  RETURNING 1
)
SELECT c.id::text AS delivery_id, c.attempts AS attempt, c.created_at AS delivery_created_at, c.url, c.secret,
  e.id::text AS event_id, e.type, e.created_at AS event_created_at, e.payload
FROM c JOIN webhook_events e ON e.id = c.event_id`;

/**
 * Completes an attempt and moves its delivery on, guarded: only the latest attempt of a pending delivery
 * decides its status, except that a 2xx always marks it delivered (a late success of an attempt given up for
 * lost still counts). A delivered, failed or canceled delivery never changes again.
 */
const RECORD = `
WITH a AS (
  UPDATE webhook_attempts SET finished_at = $3::timestamptz, duration_ms = $4::int, status_code = $5::int, error = $6::text,
    outcome = CASE WHEN $7::text = 'delivered' THEN 'succeeded' ELSE 'failed' END, next_attempt_at = $8::timestamptz
  WHERE delivery_id = $1::uuid AND number = $2::int
  RETURNING 1
)
UPDATE webhook_deliveries SET status = $7::text, next_attempt_at = $8::timestamptz,
  delivered_at = CASE WHEN $7::text = 'delivered' THEN $3::timestamptz END, updated_at = now()
WHERE id = $1::uuid AND status = 'pending' AND (attempts = $2::int OR $7::text = 'delivered')
RETURNING id`;

interface ClaimColumns {
  delivery_id: string;
  attempt: number;
  delivery_created_at: Date;
  url: string;
  secret: string;
  event_id: string;
  type: string;
  event_created_at: Date;
  payload: unknown;
}

const WITH_ATTEMPTS = { event: { select: { type: true } }, tries: { orderBy: { number: 'asc' } } } as const;

type DeliveryModel = Prisma.webhook_deliveriesGetPayload<{ include: typeof WITH_ATTEMPTS }>;

function toRow({ event, tries, ...d }: DeliveryModel): WebhookDeliveryRow {
  return {
    ...d,
    event_type: event.type,
    status: d.status as WebhookDeliveryStatus,
    tries: tries.map(({ delivery_id: _deliveryId, ...t }) => t),
  };
}

@Injectable()
export class WebhookDeliveriesRepository {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(DB_POOL) private readonly pool: Pool,
  ) {}

  /**
   * The event once per (organisation, type, subject key): INSERT … ON CONFLICT DO NOTHING, so of any number of
   * transactions publishing it, one inserts and the others wait for it and insert nothing. With it, a delivery
   * to each enabled endpoint subscribed to the type, due now.
   */
  async publish(
    tx: Tx,
    event: { organizationId: string; type: string; subjectKey: string; payload: Record<string, unknown> },
  ): Promise<PublishedEvent> {
    const [created] = await tx.webhook_events.createManyAndReturn({
      data: [
        {
          id: randomUUID(),
          organization_id: event.organizationId,
          type: event.type,
          subject_key: event.subjectKey,
          payload: event.payload as Prisma.InputJsonObject,
        },
      ],
      skipDuplicates: true,
      select: { id: true },
    });
    if (created === undefined) return { eventId: null, deliveries: [] };
    const endpoints = await tx.webhook_endpoints.findMany({
      where: { organization_id: event.organizationId, disabled_at: null, events: { has: event.type } },
      select: { id: true },
    });
    if (endpoints.length === 0) return { eventId: created.id, deliveries: [] };
    const now = new Date();
    const deliveries = await tx.webhook_deliveries.createManyAndReturn({
      data: endpoints.map((e) => ({
        id: randomUUID(),
        organization_id: event.organizationId,
        event_id: created.id,
        endpoint_id: e.id,
        next_attempt_at: now,
      })),
      skipDuplicates: true,
      select: { id: true },
    });
    return { eventId: created.id, deliveries: deliveries.map((d) => ({ id: d.id, attempt: 1, dueAt: now })) };
  }

  /** Which of these subject keys have their event of this type already (a cheap read before publishing). */
  async publishedSubjects(organizationId: string, type: string, subjectKeys: readonly string[]): Promise<Set<string>> {
    if (subjectKeys.length === 0) return new Set();
    const rows = await this.prisma.webhook_events.findMany({
      where: { organization_id: organizationId, type, subject_key: { in: [...subjectKeys] } },
      select: { subject_key: true },
    });
    return new Set(rows.map((r) => r.subject_key));
  }

  /**
   * A new delivery of the same event to the same endpoint (the next replay number), unless the endpoint is
   * disabled. The endpoint's row lock serialises replays to it, and a disable, so numbers never collide.
   */
  async replay(
    tx: Tx,
    organizationId: string,
    deliveryId: string,
  ): Promise<{ replayed: WebhookDeliveryRow } | { refused: 'not_found' | 'endpoint_disabled' }> {
    const source = await tx.webhook_deliveries.findFirst({
      where: { id: deliveryId, organization_id: organizationId },
      select: { event_id: true, endpoint_id: true },
    });
    if (source === null) return { refused: 'not_found' };
    // SQL for the lock alone: Prisma has no SELECT … FOR UPDATE.
    const [endpoint] = await tx.$queryRaw<
      { disabled: boolean }[]
    >`SELECT disabled_at IS NOT NULL AS disabled FROM webhook_endpoints WHERE id = ${source.endpoint_id}::uuid FOR UPDATE`;
    if (endpoint.disabled) return { refused: 'endpoint_disabled' };
    const last = await tx.webhook_deliveries.aggregate({
      where: { event_id: source.event_id, endpoint_id: source.endpoint_id },
      _max: { replay: true },
    });
    const created = await tx.webhook_deliveries.create({
      data: {
        id: randomUUID(),
        organization_id: organizationId,
        event_id: source.event_id,
        endpoint_id: source.endpoint_id,
        replay: (last._max.replay ?? 0) + 1,
        next_attempt_at: new Date(),
      },
      include: WITH_ATTEMPTS,
    });
    return { replayed: toRow(created) };
  }

  async find(organizationId: string, id: string): Promise<WebhookDeliveryRow | null> {
    const row = await this.prisma.webhook_deliveries.findFirst({ where: { id, organization_id: organizationId }, include: WITH_ATTEMPTS });
    return row === null ? null : toRow(row);
  }

  /** Newest first, with every attempt. */
  async list(organizationId: string, filter: DeliveryFilter, limit: number): Promise<WebhookDeliveryRow[]> {
    const rows = await this.prisma.webhook_deliveries.findMany({
      where: {
        organization_id: organizationId,
        ...(filter.endpointId === undefined ? {} : { endpoint_id: filter.endpointId }),
        ...(filter.eventId === undefined ? {} : { event_id: filter.eventId }),
        ...(filter.eventType === undefined ? {} : { event: { type: filter.eventType } }),
        ...(filter.beforeSeq === undefined ? {} : { seq: { lt: filter.beforeSeq } }),
      },
      orderBy: { seq: 'desc' },
      take: limit,
      include: WITH_ATTEMPTS,
    });
    return rows.map(toRow);
  }

  /** See CLAIM. Null when the delivery is not pending, its endpoint disabled, or its next attempt not due. */
  async claim(deliveryId: string, toleranceMs: number, leaseMs: number): Promise<ClaimedAttempt | null> {
    const res = await this.pool.query<ClaimColumns>(CLAIM, [deliveryId, toleranceMs / 1000, leaseMs / 1000, LOST_ATTEMPT]);
    const r = res.rows[0];
    if (r === undefined) return null;
    return {
      deliveryId: r.delivery_id,
      attempt: r.attempt,
      deliveryCreatedAt: r.delivery_created_at,
      url: r.url,
      secret: r.secret,
      event: { id: r.event_id, type: r.type, created_at: r.event_created_at, payload: r.payload },
    };
  }

  /** Where a delivery stands, for a job that could not claim it. */
  async state(
    deliveryId: string,
  ): Promise<{ status: WebhookDeliveryStatus; attempts: number; next_attempt_at: Date | null; endpointDisabled: boolean } | null> {
    const row = await this.prisma.webhook_deliveries.findUnique({
      where: { id: deliveryId },
      select: { status: true, attempts: true, next_attempt_at: true, endpoint: { select: { disabled_at: true } } },
    });
    if (row === null) return null;
    return {
      status: row.status as WebhookDeliveryStatus,
      attempts: row.attempts,
      next_attempt_at: row.next_attempt_at,
      endpointDisabled: row.endpoint.disabled_at !== null,
    };
  }

  /** A pending delivery is canceled (its endpoint was disabled). */
  async cancel(deliveryId: string): Promise<void> {
    await this.prisma.webhook_deliveries.updateMany({
      where: { id: deliveryId, status: 'pending' },
      data: { status: 'canceled', next_attempt_at: null, updated_at: new Date() },
    });
  }

  /** See RECORD. True when the delivery moved on (false: a duplicate's late word, or canceled meanwhile). */
  async record(o: AttemptOutcome): Promise<boolean> {
    const res = await this.pool.query(RECORD, [
      o.deliveryId,
      o.attempt,
      o.finishedAt,
      o.durationMs,
      o.statusCode,
      o.error,
      o.status,
      o.nextAttemptAt,
    ]);
    return (res.rowCount ?? 0) > 0;
  }

  /**
   * Pending deliveries whose next attempt has been due for more than `overdueMs` (their job lost with Redis's
   * data, or never added): the sweeper hands them to the queue again, oldest first.
   */
  async overdue(overdueMs: number, limit = 1000): Promise<DueDelivery[]> {
    const res = await this.pool.query<{ id: string; attempt: number; due_at: Date }>(
      `SELECT id::text, attempts + 1 AS attempt, next_attempt_at AS due_at FROM webhook_deliveries
       WHERE status = 'pending' AND next_attempt_at < now() - make_interval(secs => $1)
       ORDER BY next_attempt_at LIMIT $2`,
      [overdueMs / 1000, limit],
    );
    return res.rows.map((r) => ({ id: r.id, attempt: r.attempt, dueAt: r.due_at }));
  }
}
