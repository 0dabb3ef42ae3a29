import { Inject, Injectable } from '@nestjs/common';
import type { PrismaClient } from './generated/prisma/client';
import type { Tx } from './database';
import { arrayLiteral as col } from './pg-array-literal';
import { PRISMA } from './tokens';

// The Stripe push's state (docs/design.md "Stripe"). Raw SQL, not Prisma: every transition is one UPDATE guarded
// by the state it leaves and the lease of the worker making it, RETURNING the row it leaves behind, and the
// lease is compared with Postgres' clock; Prisma's updateMany returns a count only and has no now().

export const PUSH_STATES = [
  'pending',
  'customer_ready',
  'invoice_created',
  'lines_added',
  'finalized',
  'done',
  'failed',
  'voided',
] as const;
export type StripePushState = (typeof PUSH_STATES)[number];

export interface StripePushRow {
  invoice_id: string;
  organization_id: string;
  customer_id: string;
  state: StripePushState;
  stripe_customer_id: string | null;
  stripe_invoice_id: string | null;
  collection_method: string | null;
  days_until_due: number | null;
  step_attempts: number;
  key_generation: number;
  void_requested_at: Date | null;
  failed_step: string | null;
  failure: string | null;
  lease_token: string | null;
  lease_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** What a push sends: the finalized invoice, its customer as Stripe will know it, its lines. */
export interface PushInvoiceRow {
  id: string;
  organization_id: string;
  customer_id: string;
  external_customer_id: string;
  customer_name: string | null;
  customer_email: string | null;
  stripe_customer_id: string | null;
  collection_method: string;
  days_until_due: number | null;
  status: string;
  type: string;
  number: string | null;
  currency: string;
  total: string;
  period_start: Date;
  period_end: Date;
  stripe_invoice_id: string | null;
  stripe_status: string | null;
  /** The invoice's plan version's customer_line_detail ("per_charge" for versions stored before it existed). */
  customer_line_detail: string;
}

export interface PushLineRow {
  id: string;
  position: number;
  type: string;
  description: string;
  /** Rounded to the currency's minor unit (exact decimal text). */
  amount: string;
}

/** Changes a transition writes besides the state. */
export interface PushChanges {
  stripe_customer_id?: string;
  stripe_invoice_id?: string;
  collection_method?: string;
  days_until_due?: number | null;
  failed_step?: string;
  failure?: string;
}

export type PushClaim =
  | { kind: 'claimed'; row: StripePushRow }
  /** Another worker holds the lease until then. */
  | { kind: 'busy'; until: Date }
  | { kind: 'missing' };

const COLUMNS = `invoice_id::text, organization_id::text, customer_id::text, state, stripe_customer_id, stripe_invoice_id, collection_method,
  days_until_due, step_attempts, key_generation, void_requested_at, failed_step, failure, lease_token::text, lease_until, created_at, updated_at`;

/**
 * A push with work left: not finished, or finished before its invoice was voided (unless voiding Stripe's failed:
 * it was paid first). The partial index's predicate.
 */
const UNFINISHED = `(state NOT IN ('done', 'failed', 'voided') OR (void_requested_at IS NOT NULL AND state <> 'voided' AND failed_step IS DISTINCT FROM 'void'))`;

/**
 * Stripe's statuses of an invoice, in the order they can follow each other: a status is only ever replaced by a
 * later one, so events that arrive late or twice never move an invoice back. `deleted` is ours: the draft was
 * deleted on Stripe because our invoice was voided before its push finished.
 */
const STRIPE_STATUS_RANK = `CASE %s WHEN 'draft' THEN 0 WHEN 'open' THEN 1 WHEN 'uncollectible' THEN 2 WHEN 'paid' THEN 3
  WHEN 'void' THEN 3 WHEN 'deleted' THEN 3 ELSE -1 END`;
const rank = (expr: string) => STRIPE_STATUS_RANK.replace('%s', expr);

@Injectable()
export class StripePushesRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /** A push for each of these invoices (just finalized, in the finalizing transaction); one per invoice, ever. */
  async open(tx: Tx, invoiceIds: readonly string[]): Promise<void> {
    if (invoiceIds.length === 0) return;
    await tx.$executeRawUnsafe(
      `INSERT INTO stripe_pushes (invoice_id, organization_id, customer_id)
       SELECT id, organization_id, customer_id FROM invoices WHERE id = ANY($1::uuid[]) AND status <> 'draft'
       ON CONFLICT (invoice_id) DO NOTHING`,
      col(invoiceIds),
    );
  }

  /**
   * Takes the push's lease for `leaseMs` (Postgres' clock), unless another worker holds one that has not lapsed.
   * Each transition renews it.
   */
  async claim(invoiceId: string, token: string, leaseMs: number): Promise<PushClaim> {
    const rows = await this.prisma.$queryRawUnsafe<StripePushRow[]>(
      `UPDATE stripe_pushes SET lease_token = $2::uuid, lease_until = now() + $3 * interval '1 millisecond'
       WHERE invoice_id = $1::uuid AND (lease_until IS NULL OR lease_until < now()) RETURNING ${COLUMNS}`,
      invoiceId,
      token,
      leaseMs,
    );
    if (rows.length > 0) return { kind: 'claimed', row: rows[0] };
    const held = await this.find(invoiceId);
    if (held === null) return { kind: 'missing' };
    return { kind: 'busy', until: held.lease_until ?? new Date() };
  }

  /**
   * Moves the push from `from` to `to` with `changes`, if it is still in `from` and this worker still holds its
   * lease; the current step's attempts start again at 0. Null when the guard failed.
   */
  async advance(
    db: Tx | null,
    invoiceId: string,
    token: string,
    leaseMs: number,
    from: StripePushState,
    to: StripePushState,
    changes: PushChanges = {},
  ): Promise<StripePushRow | null> {
    const sets: string[] = [];
    const values: unknown[] = [invoiceId, token, leaseMs, from, to];
    for (const [column, value] of Object.entries(changes)) {
      values.push(value);
      sets.push(`${column} = $${values.length}${column === 'days_until_due' ? '::int' : ''}`);
    }
    const rows = await (db ?? this.prisma).$queryRawUnsafe<StripePushRow[]>(
      `UPDATE stripe_pushes SET state = $5, step_attempts = 0, ${sets.map((s) => `${s}, `).join('')}
         lease_until = now() + $3 * interval '1 millisecond', updated_at = now()
       WHERE invoice_id = $1::uuid AND lease_token = $2::uuid AND state = $4 RETURNING ${COLUMNS}`,
      ...values,
    );
    return rows[0] ?? null;
  }

  /** Counts a call of the current step as begun (before it is made); null when the guard failed. */
  async beginStep(invoiceId: string, token: string, leaseMs: number, state: StripePushState): Promise<StripePushRow | null> {
    const rows = await this.prisma.$queryRawUnsafe<StripePushRow[]>(
      `UPDATE stripe_pushes SET step_attempts = step_attempts + 1, lease_until = now() + $3 * interval '1 millisecond', updated_at = now()
       WHERE invoice_id = $1::uuid AND lease_token = $2::uuid AND state = $4 RETURNING ${COLUMNS}`,
      invoiceId,
      token,
      leaseMs,
      state,
    );
    return rows[0] ?? null;
  }

  /** Stripe saved an error under the step's key and would replay it: the steps take keys of the next generation. */
  async nextKeyGeneration(invoiceId: string, token: string, state: StripePushState, generation: number): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      `UPDATE stripe_pushes SET key_generation = $4 + 1, updated_at = now()
       WHERE invoice_id = $1::uuid AND lease_token = $2::uuid AND state = $3 AND key_generation = $4`,
      invoiceId,
      token,
      state,
      generation,
    );
  }

  /** Gives the lease back. */
  async release(invoiceId: string, token: string): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      `UPDATE stripe_pushes SET lease_token = NULL, lease_until = NULL WHERE invoice_id = $1::uuid AND lease_token = $2::uuid`,
      invoiceId,
      token,
    );
  }

  async find(invoiceId: string, db: Tx = this.prisma): Promise<StripePushRow | null> {
    const rows = await db.$queryRawUnsafe<StripePushRow[]>(`SELECT ${COLUMNS} FROM stripe_pushes WHERE invoice_id = $1::uuid`, invoiceId);
    return rows[0] ?? null;
  }

  /** Our invoice was voided (in the voiding transaction): the push voids Stripe's. False when it has no push. */
  async requestVoid(tx: Tx, invoiceId: string): Promise<boolean> {
    const n = await tx.$executeRawUnsafe(
      `UPDATE stripe_pushes SET void_requested_at = coalesce(void_requested_at, now()), updated_at = now()
       WHERE invoice_id = $1::uuid AND state <> 'voided'`,
      invoiceId,
    );
    return n > 0;
  }

  /** Stripe voided the invoice itself (a webhook): nothing is left to do, whatever state the push was in. */
  async markVoided(tx: Tx, invoiceId: string): Promise<void> {
    await tx.$executeRawUnsafe(
      `UPDATE stripe_pushes SET state = 'voided', void_requested_at = coalesce(void_requested_at, now()), updated_at = now()
       WHERE invoice_id = $1::uuid`,
      invoiceId,
    );
  }

  /**
   * Pushes with work left that nobody is doing (no lease, or a lapsed one) and that did not move for `idleMs`:
   * the sweeper's, whose jobs Redis lost.
   */
  async idle(idleMs: number, limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRawUnsafe<{ invoice_id: string }[]>(
      `SELECT invoice_id::text FROM stripe_pushes
       WHERE ${UNFINISHED} AND updated_at < now() - $1 * interval '1 millisecond' AND (lease_until IS NULL OR lease_until < now())
       ORDER BY updated_at LIMIT $2`,
      idleMs,
      limit,
    );
    return rows.map((r) => r.invoice_id);
  }

  /** The invoice a push sends, with its customer; null when there is none. */
  async invoice(invoiceId: string, db: Tx = this.prisma): Promise<PushInvoiceRow | null> {
    const rows = await db.$queryRawUnsafe<PushInvoiceRow[]>(
      `SELECT i.id::text, i.organization_id::text, i.customer_id::text, c.external_id AS external_customer_id, c.name AS customer_name,
         c.email AS customer_email, c.stripe_customer_id, c.collection_method, c.days_until_due, i.status, i.type, i.number, i.currency,
         i.total::text, i.period_start, i.period_end, i.stripe_invoice_id, i.stripe_status,
         coalesce((SELECT p.definition->>'customer_line_detail' FROM plans p WHERE p.id = i.plan_version_id), 'per_charge') AS customer_line_detail
       FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.id = $1::uuid`,
      invoiceId,
    );
    return rows[0] ?? null;
  }

  async lines(invoiceId: string): Promise<PushLineRow[]> {
    return this.prisma.$queryRawUnsafe<PushLineRow[]>(
      `SELECT id::text, position, type, description, amount::text FROM invoice_lines WHERE invoice_id = $1::uuid ORDER BY position`,
      invoiceId,
    );
  }

  /**
   * Stores the Stripe customer made for ours, unless one was stored meanwhile (another invoice's push, an
   * operator): returns the one stored. Not a change the customer's drafts depend on: updated_at stays.
   */
  async storeStripeCustomer(customerId: string, stripeCustomerId: string): Promise<string> {
    const rows = await this.prisma.$queryRawUnsafe<{ stripe_customer_id: string }[]>(
      `WITH stored AS (UPDATE customers SET stripe_customer_id = $2 WHERE id = $1::uuid AND stripe_customer_id IS NULL
                       RETURNING stripe_customer_id)
       SELECT stripe_customer_id FROM stored
       UNION ALL SELECT stripe_customer_id FROM customers WHERE id = $1::uuid AND NOT EXISTS (SELECT 1 FROM stored)`,
      customerId,
      stripeCustomerId,
    );
    return rows[0]?.stripe_customer_id ?? stripeCustomerId;
  }

  /**
   * Records Stripe's invoice on ours: its id (set once; the unique key refuses one Stripe invoice for two of
   * ours) and its status, only ever moved forward. Returns the status stored. Nothing a draft's computation
   * reads: updated_at stays.
   */
  async recordStripeInvoice(tx: Tx, invoiceId: string, stripeInvoiceId: string | null, status: string): Promise<string | null> {
    const rows = await tx.$queryRawUnsafe<{ stripe_status: string | null }[]>(
      `UPDATE invoices SET stripe_invoice_id = coalesce(stripe_invoice_id, $2),
         stripe_status = CASE WHEN stripe_status IS NULL OR ${rank('$3')} > ${rank('stripe_status')} THEN $3 ELSE stripe_status END
       WHERE id = $1::uuid RETURNING stripe_status`,
      invoiceId,
      stripeInvoiceId,
      status,
    );
    return rows[0]?.stripe_status ?? null;
  }
}
