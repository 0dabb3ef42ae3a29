import { Inject, Injectable } from '@nestjs/common';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import type { PrismaClient } from './generated/prisma/client';
import type { Tx } from './database';
import { arrayLiteral as col, type ArrayValue } from './pg-array-literal';
import { PRISMA } from './tokens';

// The billing cycle's SQL: closing periods, computing and finalizing invoices. Raw SQL, not Prisma: each step is
// one statement for a chunk of customers (the due customers locked with SKIP LOCKED, the drafts inserted with
// ON CONFLICT on the one-invoice-per-period key, the usage of hundreds of invoices read at once, their lines
// written with unnest, a block of invoice numbers taken in one UPDATE), where Prisma would make one query per
// row and cannot say SKIP LOCKED, ON CONFLICT on a partial index or advisory locks. The usage columns come
// from USAGE_DIMENSIONS. Every statement runs on the caller's transaction (or the client, for reads); columns
// of values go as array literals (pg-array-literal.ts), which costs Prisma one string each.

/** Statuses of an invoice that bills what it shows: its usage lines are the record of what was billed. */
export const BILLED_STATUSES = ['finalized', 'paid', 'payment_failed'] as const;
const BILLED = `('finalized', 'paid', 'payment_failed')`;

/** Key of the advisory lock that keeps repricing and invoice computation of one organisation apart. */
export const BILLING_LOCK = 7316002;

const dims = (f: (d: string) => string, sep = ', ') => USAGE_DIMENSIONS.map(f).join(sep);

export interface BillingCustomerRow {
  id: string;
  organization_id: string;
  external_id: string;
  plan_code: string;
  billing_anchor: Date | null;
  /** Exact decimal text. */
  discount: string;
  created_at: Date;
  next_close_at: Date | null;
}

export interface InvoiceRow {
  id: string;
  organization_id: string;
  customer_id: string;
  external_customer_id: string;
  type: string;
  status: string;
  period_start: Date;
  period_end: Date;
  billing_period_end: Date;
  usage_through: Date | null;
  currency: string;
  plan_code: string;
  plan_version_id: string | null;
  plan_version: number | null;
  discount: string;
  subtotal: string;
  credits_applied: string;
  total: string;
  number: string | null;
  finalize_after: Date;
  requires_approval: boolean;
  computed_at: Date | null;
  compute_error: string | null;
  finalized_at: Date | null;
  voided_at: Date | null;
  void_reason: string | null;
  stripe_invoice_id: string | null;
  stripe_status: string | null;
  created_at: Date;
}

export interface InvoiceLineRow {
  invoice_id: string;
  position: number;
  type: string;
  description: string;
  charge: string | null;
  provider_cost: string | null;
  amount: string;
  amount_precise: string;
  floor_applied: boolean;
  period_start: Date | null;
  events: string | null;
  rated_amount: string | null;
  /** In USAGE_DIMENSIONS order; null for lines that are not usage. */
  tokens: string[] | null;
  coupon_id: string | null;
}

/** A draft to insert at a period's close. */
export interface NewDraft {
  id: string;
  organization_id: string;
  customer_id: string;
  period_start: Date;
  period_end: Date;
  billing_period_end: Date;
  usage_through: Date | null;
  currency: string;
  plan_code: string;
  plan_version_id: string;
  plan_version: number;
  discount: string;
  finalize_after: Date;
  requires_approval: boolean;
}

/** Whose usage an invoice bills: its own period, and whether older periods' late usage goes on it. */
export interface UsageSubject {
  customer_id: string;
  period_start: Date;
  takes_late_usage: boolean;
}

/** Usage priced for a period and not billed yet by an invoice that bills (aggregates minus billed lines). */
export interface UnbilledUsageRow {
  /** Index of the subject it is for. */
  subject: number;
  period_start: Date;
  period_end: Date;
  charge: string;
  events: string;
  provider_cost: string;
  rated_amount: string;
  tokens: string[];
  /** The plan version of the period's invoice that bills, if any. */
  billed_plan_version_id: string | null;
}

/** Usage of a period closed early: its priced events before the close, per charge. */
export interface UsageBeforeRow {
  subject: number;
  charge: string;
  events: string;
  provider_cost: string;
  rated_amount: string;
  tokens: string[];
}

export interface CouponRow {
  id: string;
  organization_id: string;
  customer_id: string;
  kind: 'fixed' | 'percentage';
  amount: string | null;
  percent: string | null;
  frequency: 'once' | 'forever';
  expires_at: Date | null;
  created_at: Date;
  removed_at: Date | null;
  used_by_invoice_id: string | null;
  used_at: Date | null;
}

/** A credit purchase's invoice: one line, its amount, finalized (or paid) when it is made. */
export interface CreditPurchaseWrite {
  id: string;
  organization_id: string;
  customer_id: string;
  currency: string;
  /** The customer's plan (every invoice names one; a purchase is billed on none of its charges). */
  plan_code: string;
  /** Exact decimal text, whole minor units. */
  amount: string;
  number: string;
  line_id: string;
  description: string;
  paid: boolean;
  at: Date;
}

/** An invoice's computed amounts and lines, to store on a draft or to finalize it with. */
export interface ComputedInvoiceWrite {
  id: string;
  customer_id: string;
  currency: string;
  plan_version_id: string;
  plan_version: number;
  discount: string;
  subtotal: string;
  credits_applied: string;
  total: string;
  /** Only when finalizing. */
  number: string | null;
  lines: LineWrite[];
}

export interface LineWrite {
  id: string;
  type: string;
  description: string;
  charge: string | null;
  provider_cost: string | null;
  amount: string;
  amount_precise: string;
  floor_applied: boolean;
  period_start: Date | null;
  events: string | null;
  rated_amount: string | null;
  tokens: string[] | null;
  coupon_id: string | null;
}

const INVOICE_COLUMNS = `i.id::text, i.organization_id::text, i.customer_id::text, c.external_id AS external_customer_id, i.type, i.status,
  i.period_start, i.period_end, i.billing_period_end, i.usage_through, i.currency, i.plan_code, i.plan_version_id::text, i.plan_version,
  i.discount::text, i.subtotal::text, i.credits_applied::text, i.total::text, i.number, i.finalize_after, i.requires_approval,
  i.computed_at, i.compute_error, i.finalized_at, i.voided_at, i.void_reason, i.stripe_invoice_id, i.stripe_status, i.created_at`;

const CUSTOMER_COLUMNS = `id::text, organization_id::text, external_id, plan_code, billing_anchor, discount::text, created_at, next_close_at`;

const COUPON_COLUMNS = `id::text, organization_id::text, customer_id::text, kind, amount::text, percent::text, frequency, expires_at, created_at,
  removed_at, used_by_invoice_id::text, used_at`;

/**
 * Aggregates minus what invoices that bill have billed, per period and charge, for each subject: its own
 * period (a draft follows it), and, when it takes late usage, every earlier period that is finalized or was
 * closed without an invoice (one with a draft follows it itself; one voided and not reissued waits for its
 * reissue). Zero differences are left out.
 */
const UNBILLED_USAGE = `
WITH s AS (
  SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::bool[]) WITH ORDINALITY AS s(customer_id, own_start, takes_late, i)
), billed AS (
  SELECT l.customer_id, l.period_start, l.charge, sum(l.events) AS events, sum(l.provider_cost) AS provider_cost,
    sum(l.rated_amount) AS rated_amount, ${dims((d) => `sum(l.${d}) AS ${d}`)}
  FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
  WHERE l.customer_id = ANY($1::uuid[]) AND l.period_start IS NOT NULL AND i.status IN ${BILLED}
  GROUP BY 1, 2, 3
), a AS (
  SELECT s.i, s.own_start, u.* FROM s JOIN usage_aggregates u ON u.customer_id = s.customer_id
    AND (u.period_start = s.own_start OR (s.takes_late AND u.period_start < s.own_start))
)
SELECT a.i::int AS subject, a.period_start, a.period_end, a.charge,
  (a.events - coalesce(b.events, 0))::text AS events,
  (a.provider_cost - coalesce(b.provider_cost, 0))::text AS provider_cost,
  (a.rated_amount - coalesce(b.rated_amount, 0))::text AS rated_amount,
  ARRAY[${dims((d) => `a.${d} - coalesce(b.${d}, 0)`)}]::text[] AS tokens,
  (SELECT f.plan_version_id::text FROM invoices f WHERE f.customer_id = a.customer_id AND f.period_start = a.period_start
     AND f.type = 'usage' AND f.status IN ${BILLED} LIMIT 1) AS billed_plan_version_id
FROM a LEFT JOIN billed b ON b.customer_id = a.customer_id AND b.period_start = a.period_start AND b.charge = a.charge
WHERE (a.events <> coalesce(b.events, 0) OR a.provider_cost <> coalesce(b.provider_cost, 0) OR a.rated_amount <> coalesce(b.rated_amount, 0))
  AND (a.period_start = a.own_start OR (
    NOT EXISTS (SELECT 1 FROM invoices d WHERE d.customer_id = a.customer_id AND d.period_start = a.period_start
                  AND d.type = 'usage' AND d.status = 'draft')
    AND (EXISTS (SELECT 1 FROM invoices f WHERE f.customer_id = a.customer_id AND f.period_start = a.period_start
                   AND f.type = 'usage' AND f.status IN ${BILLED})
         OR NOT EXISTS (SELECT 1 FROM invoices v WHERE v.customer_id = a.customer_id AND v.period_start = a.period_start
                   AND v.type = 'usage' AND v.status = 'void'))))
ORDER BY 1, 2, 4`;

const USAGE_BEFORE = `
SELECT s.i::int AS subject, e.charge, count(*)::text AS events, sum(e.provider_cost)::text AS provider_cost,
  sum(e.rated_amount)::text AS rated_amount, ARRAY[${dims((d) => `sum(e.${d})`)}]::text[] AS tokens
FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS s(customer_id, period_start, through, i)
JOIN events e ON e.customer_id = s.customer_id AND e.occurred_at >= s.period_start AND e.occurred_at < s.through
  AND e.period_start = s.period_start AND e.pricing_status = 'priced'
GROUP BY 1, 2 ORDER BY 1, 2`;

/** The plan version that priced the latest event of a (customer, period, charge): for usage another plan priced. */
const USAGE_PLAN_VERSIONS = `
SELECT DISTINCT ON (k.i) k.i::int AS key, e.plan_version_id::text AS plan_version_id
FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::text[]) WITH ORDINALITY AS k(customer_id, period_start, period_end, charge, i)
JOIN events e ON e.customer_id = k.customer_id AND e.occurred_at >= k.period_start AND e.occurred_at < k.period_end
  AND e.period_start = k.period_start AND e.charge = k.charge AND e.pricing_status = 'priced'
ORDER BY k.i, e.id DESC`;

const INSERT_LINES = `
INSERT INTO invoice_lines (id, invoice_id, customer_id, position, type, description, charge, provider_cost, amount, amount_precise,
  floor_applied, period_start, events, rated_amount, coupon_id, ${dims((d) => d)})
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::numeric[], $9::numeric[],
  $10::numeric[], $11::bool[], $12::timestamptz[], $13::int8[], $14::numeric[], $15::uuid[], ${USAGE_DIMENSIONS.map((_, k) => `$${16 + k}::int8[]`).join(', ')})`;

type Db = Tx;

@Injectable()
export class InvoicesRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /**
   * Invoice computation (shared) and repricing (exclusive) of an organisation exclude each other, so a period is
   * never repriced between the moment a finalization reads its usage and its commit. `wait: false` returns
   * false instead of waiting. SQL for the lock alone: Prisma has no advisory locks.
   */
  async lockBilling(tx: Tx, organizationIds: readonly string[], mode: 'shared' | 'exclusive', wait = true): Promise<boolean> {
    const fn = `pg_${wait ? '' : 'try_'}advisory_xact_lock${mode === 'shared' ? '_shared' : ''}`;
    for (const id of [...new Set(organizationIds)].sort()) {
      const [row] = await tx.$queryRawUnsafe<{ ok: string }[]>(`SELECT ${fn}(${BILLING_LOCK}, hashtext($1::text))::text AS ok`, id);
      if (!wait && row.ok !== 'true') return false;
    }
    return true;
  }

  /**
   * Customers whose next close is due (or not scheduled yet), locked; those another worker holds are skipped. In
   * no order: each closes one period per chunk, and one that is still due comes back in a later chunk.
   */
  dueCustomers(tx: Tx, now: Date, limit: number): Promise<BillingCustomerRow[]> {
    return tx.$queryRawUnsafe<BillingCustomerRow[]>(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE next_close_at IS NULL OR next_close_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED`,
      now,
      limit,
    );
  }

  /** One customer, locked until the end of the transaction (every change to its invoices holds this lock). */
  async lockCustomer(tx: Tx, organizationId: string, externalId: string): Promise<BillingCustomerRow | null> {
    const rows = await tx.$queryRawUnsafe<BillingCustomerRow[]>(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE organization_id = $1::uuid AND external_id = $2 FOR UPDATE`,
      organizationId,
      externalId,
    );
    return rows[0] ?? null;
  }

  async lockCustomerById(tx: Tx, customerId: string): Promise<BillingCustomerRow | null> {
    const rows = await tx.$queryRawUnsafe<BillingCustomerRow[]>(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE id = $1::uuid FOR UPDATE`,
      customerId,
    );
    return rows[0] ?? null;
  }

  customers(db: Db, ids: readonly string[]): Promise<BillingCustomerRow[]> {
    return db.$queryRawUnsafe<BillingCustomerRow[]>(`SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE id = ANY($1::uuid[])`, col(ids));
  }

  async scheduleCloses(tx: Tx, customerIds: readonly string[], at: readonly Date[]): Promise<void> {
    if (customerIds.length === 0) return;
    await tx.$executeRawUnsafe(
      `UPDATE customers c SET next_close_at = v.at FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at) WHERE c.id = v.id`,
      col(customerIds),
      col(at),
    );
  }

  /**
   * After a change of plan or anchor: each customer's next close no later than its new current period's end (a
   * stale later one would skip periods; an earlier one is corrected when it comes due).
   */
  async closeNoLaterThan(tx: Tx, customerIds: readonly string[], at: readonly Date[]): Promise<void> {
    if (customerIds.length === 0) return;
    await tx.$executeRawUnsafe(
      `UPDATE customers c SET next_close_at = LEAST(coalesce(c.next_close_at, v.at), v.at)
       FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at) WHERE c.id = v.id`,
      col(customerIds),
      col(at),
    );
  }

  /**
   * Inserts drafts; a period that has an invoice (not void) already keeps it: the partial unique key makes two
   * closes one invoice. Returns the ids inserted.
   */
  async insertDrafts(tx: Tx, drafts: readonly NewDraft[]): Promise<string[]> {
    if (drafts.length === 0) return [];
    const c = <K extends keyof NewDraft>(k: K) => col(drafts.map((d) => d[k]));
    const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
      `INSERT INTO invoices (id, organization_id, customer_id, type, status, period_start, period_end, billing_period_end, usage_through,
         currency, plan_code, plan_version_id, plan_version, discount, finalize_after, requires_approval)
       SELECT id, organization_id, customer_id, 'usage', 'draft', period_start, period_end, billing_period_end, usage_through, currency,
         plan_code, plan_version_id, plan_version, discount, finalize_after, requires_approval
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[],
         $8::text[], $9::text[], $10::uuid[], $11::int[], $12::numeric[], $13::timestamptz[], $14::bool[])
         AS v(id, organization_id, customer_id, period_start, period_end, billing_period_end, usage_through, currency, plan_code,
           plan_version_id, plan_version, discount, finalize_after, requires_approval)
       ON CONFLICT (customer_id, period_start) WHERE type = 'usage' AND status <> 'void' DO NOTHING
       RETURNING id::text`,
      c('id'),
      c('organization_id'),
      c('customer_id'),
      c('period_start'),
      c('period_end'),
      c('billing_period_end'),
      c('usage_through'),
      c('currency'),
      c('plan_code'),
      c('plan_version_id'),
      c('plan_version'),
      c('discount'),
      c('finalize_after'),
      c('requires_approval'),
    );
    return rows.map((r) => r.id);
  }

  /** The usage invoice of a customer's period that is not void, if any. */
  async periodInvoice(db: Db, customerId: string, periodStart: Date): Promise<InvoiceRow | null> {
    const rows = await db.$queryRawUnsafe<InvoiceRow[]>(
      `SELECT ${INVOICE_COLUMNS} FROM invoices i JOIN customers c ON c.id = i.customer_id
       WHERE i.customer_id = $1::uuid AND i.period_start = $2 AND i.type = 'usage' AND i.status <> 'void'`,
      customerId,
      periodStart,
    );
    return rows[0] ?? null;
  }

  async find(db: Db, organizationId: string, id: string): Promise<InvoiceRow | null> {
    const rows = await db.$queryRawUnsafe<InvoiceRow[]>(
      `SELECT ${INVOICE_COLUMNS} FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.id = $1::uuid AND i.organization_id = $2::uuid`,
      id,
      organizationId,
    );
    return rows[0] ?? null;
  }

  /** Invoices by id, locked (the caller holds their customers' locks first). */
  lockInvoices(tx: Tx, ids: readonly string[]): Promise<InvoiceRow[]> {
    return tx.$queryRawUnsafe<InvoiceRow[]>(
      `SELECT ${INVOICE_COLUMNS} FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.id = ANY($1::uuid[]) ORDER BY i.id FOR UPDATE OF i`,
      col(ids),
    );
  }

  /** The database's clock: what computed_at and the aggregates' updated_at are compared in. */
  async databaseNow(): Promise<Date> {
    return (await this.prisma.$queryRawUnsafe<{ now: Date }[]>('SELECT now() AS now'))[0].now;
  }

  /**
   * Customers with a draft to work on, locked (those another worker holds are skipped): drafts due for
   * finalization (grace over, no approval needed) or whose inputs changed since they were last computed
   * (usage, coupons, the customer, another invoice of the customer, the plan), or never computed, before
   * `since` (the cycle's start in the database's clock: a draft this cycle computed is not taken again).
   */
  async customersWithDraftWork(tx: Tx, now: Date, since: Date, limit: number): Promise<string[]> {
    const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
      `SELECT c.id::text FROM customers c WHERE c.id IN (SELECT i.customer_id FROM invoices i WHERE i.status = 'draft' AND (${DRAFT_WORK}))
       LIMIT $3 FOR UPDATE SKIP LOCKED`,
      now,
      since,
      limit,
    );
    return rows.map((r) => r.id);
  }

  /** The drafts of locked customers that need work (see customersWithDraftWork), locked. */
  draftsWithWork(tx: Tx, customerIds: readonly string[], now: Date, since: Date): Promise<InvoiceRow[]> {
    return tx.$queryRawUnsafe<InvoiceRow[]>(
      `SELECT ${INVOICE_COLUMNS} FROM invoices i JOIN customers c ON c.id = i.customer_id
       WHERE i.customer_id = ANY($3::uuid[]) AND i.status = 'draft' AND (${DRAFT_WORK})
       ORDER BY i.id FOR UPDATE OF i`,
      now,
      since,
      col(customerIds),
    );
  }

  /** The start of each customer's oldest draft: late usage goes on that one (docs/design.md "Late usage"). */
  async oldestDrafts(db: Db, customerIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await db.$queryRawUnsafe<{ customer_id: string; start: Date }[]>(
      `SELECT customer_id::text, min(period_start) AS start FROM invoices
       WHERE customer_id = ANY($1::uuid[]) AND type = 'usage' AND status = 'draft' GROUP BY 1`,
      col(customerIds),
    );
    return new Map(rows.map((r) => [r.customer_id, r.start.getTime()]));
  }

  unbilledUsage(db: Db, subjects: readonly UsageSubject[]): Promise<UnbilledUsageRow[]> {
    return db
      .$queryRawUnsafe<UnbilledUsageRow[]>(
        UNBILLED_USAGE,
        col(subjects.map((s) => s.customer_id)),
        col(subjects.map((s) => s.period_start)),
        col(subjects.map((s) => s.takes_late_usage)),
      )
      .then((rows) => rows.map((r) => ({ ...r, subject: r.subject - 1 })));
  }

  async usageBefore(db: Db, subjects: readonly { customer_id: string; period_start: Date; through: Date }[]): Promise<UsageBeforeRow[]> {
    if (subjects.length === 0) return [];
    const rows = await db.$queryRawUnsafe<UsageBeforeRow[]>(
      USAGE_BEFORE,
      col(subjects.map((s) => s.customer_id)),
      col(subjects.map((s) => s.period_start)),
      col(subjects.map((s) => s.through)),
    );
    return rows.map((r) => ({ ...r, subject: r.subject - 1 }));
  }

  /** For each (customer, period, charge): the plan version that priced its latest event (null if none). */
  async usagePlanVersions(
    db: Db,
    keys: readonly { customer_id: string; period_start: Date; period_end: Date; charge: string }[],
  ): Promise<(string | null)[]> {
    const out: (string | null)[] = keys.map(() => null);
    if (keys.length === 0) return out;
    const rows = await db.$queryRawUnsafe<{ key: number; plan_version_id: string | null }[]>(
      USAGE_PLAN_VERSIONS,
      col(keys.map((k) => k.customer_id)),
      col(keys.map((k) => k.period_start)),
      col(keys.map((k) => k.period_end)),
      col(keys.map((k) => k.charge)),
    );
    for (const r of rows) out[r.key - 1] = r.plan_version_id;
    return out;
  }

  /** Coupons not removed and not used up, oldest first (the order they apply in). */
  activeCoupons(db: Db, customerIds: readonly string[]): Promise<CouponRow[]> {
    return db.$queryRawUnsafe<CouponRow[]>(
      `SELECT ${COUPON_COLUMNS} FROM coupons WHERE customer_id = ANY($1::uuid[]) AND removed_at IS NULL AND used_by_invoice_id IS NULL
       ORDER BY customer_id, created_at, id`,
      col(customerIds),
    );
  }

  async prefixes(db: Db, organizationIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await db.$queryRawUnsafe<{ id: string; invoice_prefix: string }[]>(
      'SELECT id::text, invoice_prefix FROM organizations WHERE id = ANY($1::uuid[])',
      col(organizationIds),
    );
    return new Map(rows.map((r) => [r.id, r.invoice_prefix]));
  }

  /**
   * Takes the next `count` numbers of an organisation's year and returns the first. In the finalizing
   * transaction: a rollback gives them back, so the sequence has no gaps; concurrent finalizations of one
   * organisation queue on the row.
   */
  async takeNumbers(tx: Tx, organizationId: string, year: number, count: number): Promise<number> {
    const [row] = await tx.$queryRawUnsafe<{ last: number }[]>(
      `INSERT INTO invoice_sequences (organization_id, year, last_number) VALUES ($1::uuid, $2, $3)
       ON CONFLICT (organization_id, year) DO UPDATE SET last_number = invoice_sequences.last_number + excluded.last_number
       RETURNING last_number AS last`,
      organizationId,
      year,
      count,
    );
    return row.last - count + 1;
  }

  /**
   * Stores computed amounts and lines on drafts (`finalize`: and finalizes them with their numbers). Guarded by
   * the draft status: returns the ids written; the caller holds the locks, so it is all of them.
   */
  async writeComputed(tx: Tx, invoices: readonly ComputedInvoiceWrite[], finalize: boolean, at: Date): Promise<string[]> {
    if (invoices.length === 0) return [];
    const c = <K extends Exclude<keyof ComputedInvoiceWrite, 'lines'>>(k: K) => col(invoices.map((v) => v[k]));
    const values = [
      c('id'),
      c('number'),
      c('currency'),
      c('plan_version_id'),
      c('plan_version'),
      c('discount'),
      c('subtotal'),
      c('credits_applied'),
      c('total'),
      ...(finalize ? [at] : []),
    ];
    const written = await tx.$queryRawUnsafe<{ id: string }[]>(
      `UPDATE invoices i SET ${finalize ? `status = 'finalized', number = v.number, finalized_at = $10,` : ''}
         currency = v.currency, plan_version_id = v.plan_version_id, plan_version = v.plan_version, discount = v.discount,
         subtotal = v.subtotal, credits_applied = v.credits_applied, total = v.total, computed_at = now(), compute_error = NULL,
         updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::int[], $6::numeric[], $7::numeric[], $8::numeric[], $9::numeric[])
         AS v(id, number, currency, plan_version_id, plan_version, discount, subtotal, credits_applied, total)
       WHERE i.id = v.id AND i.status = 'draft'
       RETURNING i.id::text`,
      ...values,
    );
    const ids = written.map((r) => r.id);
    await tx.$executeRawUnsafe('DELETE FROM invoice_lines WHERE invoice_id = ANY($1::uuid[])', col(ids));
    const writtenIds = new Set(ids);
    const lines = invoices
      .filter((v) => writtenIds.has(v.id))
      .flatMap((v) => v.lines.map((line, position) => ({ invoice: v, line, position })));
    if (lines.length > 0) {
      const l = <K extends keyof LineWrite>(k: K) => col(lines.map((x) => x.line[k] as ArrayValue));
      await tx.$executeRawUnsafe(
        INSERT_LINES,
        l('id'),
        col(lines.map((x) => x.invoice.id)),
        col(lines.map((x) => x.invoice.customer_id)),
        col(lines.map((x) => x.position)),
        l('type'),
        l('description'),
        l('charge'),
        l('provider_cost'),
        l('amount'),
        l('amount_precise'),
        l('floor_applied'),
        l('period_start'),
        l('events'),
        l('rated_amount'),
        l('coupon_id'),
        ...USAGE_DIMENSIONS.map((_, d) => col(lines.map((x) => (x.line.tokens === null ? null : x.line.tokens[d])))),
      );
    }
    return ids;
  }

  async markComputeErrors(tx: Tx, ids: readonly string[], errors: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.$executeRawUnsafe(
      `UPDATE invoices i SET compute_error = v.error, computed_at = now() FROM unnest($1::uuid[], $2::text[]) AS v(id, error)
       WHERE i.id = v.id AND i.status = 'draft'`,
      col(ids),
      col(errors),
    );
  }

  /** Deletes drafts (with their lines): periods that had nothing to bill. */
  async dropDrafts(tx: Tx, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
      `DELETE FROM invoices WHERE id = ANY($1::uuid[]) AND status = 'draft' RETURNING id::text`,
      col(ids),
    );
    return rows.map((r) => r.id);
  }

  /** `once` coupons are used up by the invoice that finalized with them. */
  async useCoupons(tx: Tx, couponIds: readonly string[], invoiceIds: readonly string[], at: Date): Promise<void> {
    if (couponIds.length === 0) return;
    await tx.$executeRawUnsafe(
      `UPDATE coupons k SET used_by_invoice_id = v.invoice_id, used_at = $3 FROM unnest($1::uuid[], $2::uuid[]) AS v(id, invoice_id)
       WHERE k.id = v.id AND k.frequency = 'once' AND k.used_by_invoice_id IS NULL`,
      col(couponIds),
      col(invoiceIds),
      at,
    );
  }

  /**
   * Voids an invoice (not a paid one), keeping its number. Its `once` coupons become usable again, since the
   * invoice that used them no longer bills. Null when its status does not allow it.
   */
  async void(tx: Tx, id: string, reason: string, at: Date): Promise<boolean> {
    const n = await tx.$executeRawUnsafe(
      `UPDATE invoices SET status = 'void', voided_at = $2, void_reason = $3, updated_at = now()
       WHERE id = $1::uuid AND status IN ('draft', 'finalized', 'payment_failed')`,
      id,
      at,
      reason,
    );
    if (n === 0) return false;
    await tx.$executeRawUnsafe(`UPDATE coupons SET used_by_invoice_id = NULL, used_at = NULL WHERE used_by_invoice_id = $1::uuid`, id);
    return true;
  }

  /** A finalized invoice's payment failed (Stripe says so): guarded, false when it is in another status. */
  async markPaymentFailed(tx: Tx, id: string): Promise<boolean> {
    const n = await tx.$executeRawUnsafe(
      `UPDATE invoices SET status = 'payment_failed', updated_at = now() WHERE id = $1::uuid AND status = 'finalized'`,
      id,
    );
    return n > 0;
  }

  /** A finalized (or payment_failed) invoice is paid: guarded, false when it is in another status. */
  async markPaid(tx: Tx, id: string): Promise<boolean> {
    const n = await tx.$executeRawUnsafe(
      `UPDATE invoices SET status = 'paid', updated_at = now() WHERE id = $1::uuid AND status IN ('finalized', 'payment_failed')`,
      id,
    );
    return n > 0;
  }

  /** Lines of invoices, in order. */
  async lines(db: Db, invoiceIds: readonly string[]): Promise<InvoiceLineRow[]> {
    if (invoiceIds.length === 0) return [];
    return db.$queryRawUnsafe<InvoiceLineRow[]>(
      `SELECT invoice_id::text, position, type, description, charge, provider_cost::text, amount::text, amount_precise::text,
         floor_applied, period_start, events::text, rated_amount::text, coupon_id::text,
         CASE WHEN events IS NULL THEN NULL ELSE ARRAY[${dims((d) => d)}]::text[] END AS tokens
       FROM invoice_lines WHERE invoice_id = ANY($1::uuid[]) ORDER BY invoice_id, position`,
      col(invoiceIds),
    );
  }

  /**
   * A page of an organisation's invoices, newest period first (then id), after the cursor `(period_start, id)`.
   * `from`/`to` bound the period's start.
   */
  list(
    db: Db,
    organizationId: string,
    filter: { externalCustomerId?: string; status?: string; from?: Date; to?: Date },
    after: { periodStart: Date; id: string } | null,
    limit: number,
  ): Promise<InvoiceRow[]> {
    const values: unknown[] = [organizationId];
    const where = ['i.organization_id = $1::uuid'];
    const add = (sql: (p: string) => string, value: unknown) => {
      values.push(value);
      where.push(sql(`$${values.length}`));
    };
    if (filter.externalCustomerId !== undefined) add((p) => `c.external_id = ${p}`, filter.externalCustomerId);
    if (filter.status !== undefined) add((p) => `i.status = ${p}`, filter.status);
    if (filter.from !== undefined) add((p) => `i.period_start >= ${p}`, filter.from);
    if (filter.to !== undefined) add((p) => `i.period_start < ${p}`, filter.to);
    if (after !== null) {
      values.push(after.periodStart, after.id);
      where.push(`(i.period_start, i.id) < ($${values.length - 1}, $${values.length}::uuid)`);
    }
    values.push(limit);
    return db.$queryRawUnsafe<InvoiceRow[]>(
      `SELECT ${INVOICE_COLUMNS} FROM invoices i JOIN customers c ON c.id = i.customer_id
       WHERE ${where.join(' AND ')} ORDER BY i.period_start DESC, i.id DESC LIMIT $${values.length}`,
      ...values,
    );
  }

  /**
   * A credit purchase's invoice (type credit_purchase), finalized at once with its number and its one line; `paid`
   * when the operator collected elsewhere. Its period is the instant it was sold.
   */
  async insertCreditPurchase(tx: Tx, p: CreditPurchaseWrite): Promise<void> {
    await tx.$executeRawUnsafe(
      `WITH i AS (
         INSERT INTO invoices (id, organization_id, customer_id, type, status, period_start, period_end, billing_period_end, currency,
           plan_code, subtotal, credits_applied, total, number, finalize_after, computed_at, finalized_at)
         VALUES ($1::uuid, $2::uuid, $3::uuid, 'credit_purchase', $4::text, $5::timestamptz, $5::timestamptz, $5::timestamptz, $6::text,
           $7::text, $8::numeric, 0, $8::numeric, $9::text, $5::timestamptz, $5::timestamptz, $5::timestamptz)
         RETURNING id, customer_id
       )
       INSERT INTO invoice_lines (id, invoice_id, customer_id, position, type, description, amount, amount_precise)
       SELECT $10::uuid, id, customer_id, 0, 'credit_purchase', $11::text, $8::numeric, $8::numeric FROM i`,
      p.id,
      p.organization_id,
      p.customer_id,
      p.paid ? 'paid' : 'finalized',
      p.at,
      p.currency,
      p.plan_code,
      p.amount,
      p.number,
      p.line_id,
      p.description,
    );
  }

  /** The client itself, for reads outside a transaction. */
  get reader(): Db {
    return this.prisma;
  }
}

/**
 * A draft needs work: due for finalization (or, waiting for approval with nothing to bill, to be dropped), or its
 * inputs changed since it was computed (or it never was).
 */
const DRAFT_WORK = `
  (i.finalize_after <= $1 AND i.compute_error IS NULL
    AND (NOT i.requires_approval OR NOT EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id)))
  OR i.computed_at IS NULL
  OR i.computed_at < $2 AND (i.compute_error IS NOT NULL
  OR EXISTS (SELECT 1 FROM usage_aggregates a WHERE a.customer_id = i.customer_id AND a.updated_at > i.computed_at)
  OR EXISTS (SELECT 1 FROM coupons k WHERE k.customer_id = i.customer_id AND (k.created_at > i.computed_at OR k.removed_at > i.computed_at))
  OR EXISTS (SELECT 1 FROM customers u WHERE u.id = i.customer_id AND u.updated_at > i.computed_at)
  OR EXISTS (SELECT 1 FROM invoices o WHERE o.customer_id = i.customer_id AND o.status <> 'draft' AND o.updated_at > i.computed_at)
  OR EXISTS (SELECT 1 FROM plans p WHERE p.organization_id = i.organization_id AND p.code = i.plan_code AND p.created_at > i.computed_at))`;
