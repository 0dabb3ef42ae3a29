import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { PrismaClient } from './generated/prisma/client';
import type { Tx } from './database';
import { arrayLiteral as col } from './pg-array-literal';
import { DB_POOL, PRISMA } from './tokens';

// Prepaid credits (docs/design.md "Credits"): grants, their append-only ledger, the wallets' state and the
// entitlement cache. Raw SQL, not Prisma: a grant's remaining moves only through a guarded UPDATE that writes its
// ledger entry in the same statement (Prisma cannot say `UPDATE … WHERE remaining >= x RETURNING` feeding an
// INSERT), the consumption of many invoices is one statement, the row locks are explicit (FOR UPDATE) and the
// entitlement cache's upsert is guarded by (revision, computed_at). Every method that changes credits runs on the
// caller's transaction, which holds the customer's row lock (customer first, then grants: the order every change
// to a customer's invoices and credits takes its locks in).

export type GrantKind = 'purchased' | 'granted';
export type GrantStatus = 'pending' | 'active' | 'canceled';
export type LedgerKind = 'grant' | 'consumption' | 'expiry' | 'reversal';

export interface CreditGrantRow {
  id: string;
  organization_id: string;
  customer_id: string;
  kind: GrantKind;
  status: GrantStatus;
  currency: string;
  /** Exact decimal text. */
  amount: string;
  remaining: string;
  priority: number;
  expires_at: Date | null;
  invoice_id: string | null;
  source: string;
  created_at: Date;
  activated_at: Date | null;
}

export interface NewGrant {
  id: string;
  organization_id: string;
  customer_id: string;
  kind: GrantKind;
  status: 'pending' | 'active';
  currency: string;
  amount: string;
  priority: number;
  expires_at: Date | null;
  invoice_id: string | null;
  source: 'api' | 'top_up';
}

export interface LedgerRow {
  id: string;
  grant_id: string;
  kind: LedgerKind;
  /** Signed exact decimal text. */
  amount: string;
  invoice_id: string | null;
  created_at: Date;
}

/** One use of a grant by an invoice that finalized. */
export interface ConsumptionWrite {
  invoice_id: string;
  grant_id: string;
  /** Positive exact decimal text (the ledger stores it negative). */
  amount: string;
}

export interface WalletRow {
  customer_id: string;
  organization_id: string;
  revision: string;
  top_up_below: string | null;
  top_up_amount: string | null;
  top_up_kind: GrantKind | null;
  top_up_priority: number | null;
  top_up_expires_in_days: number | null;
  low_armed: boolean;
  low_crossings: number;
  exhausted_armed: boolean;
  exhausted_crossings: number;
  /** Whether the customer ever had a grant (pending ones included). */
  has_grants: boolean;
}

export interface TopUpRule {
  below: string;
  amount: string;
  kind: GrantKind;
  priority: number;
  expires_in_days: number | null;
}

/** What the ongoing balance and the entitlement are computed from, per customer. */
export interface PositionCustomerRow {
  id: string;
  organization_id: string;
  external_id: string;
  plan_code: string;
  billing_anchor: Date | null;
  discount: string;
  spend_cap: string | null;
  updated_at: Date;
}

export interface EntitlementWrite {
  customer_id: string;
  organization_id: string;
  revision: string;
  customer_updated_at: Date;
  period_end: Date;
  currency: string;
  allowed: boolean;
  reason: string | null;
  balance: string;
  ongoing_balance: string;
  period_usage: string;
  spend_cap: string | null;
  computed_at: Date;
}

export interface CachedEntitlementRow {
  customer_id: string;
  /** The row, when it is fresh (see entitlement). */
  fresh: boolean;
  allowed: boolean | null;
  reason: string | null;
  currency: string | null;
  balance: string | null;
  ongoing_balance: string | null;
  period_usage: string | null;
  spend_cap: string | null;
  /** The end of the period it was computed for, and how old it is by the database's clock (for the api's cache). */
  period_end: Date | null;
  age_ms: number | null;
}

/** A cached entitlement read by customer id (the api's cache reading again what a notification named). */
export interface CachedEntitlementByIdRow extends CachedEntitlementRow {
  organization_id: string;
  external_id: string;
}

const GRANT_COLUMNS = `id::text, organization_id::text, customer_id::text, kind, status, currency, amount::text, remaining::text, priority,
  expires_at, invoice_id::text, source, created_at, activated_at`;

const WALLET_COLUMNS = `w.customer_id::text, w.organization_id::text, w.revision::text, w.top_up_below::text, w.top_up_amount::text, w.top_up_kind,
  w.top_up_priority, w.top_up_expires_in_days, w.low_armed, w.low_crossings, w.exhausted_armed, w.exhausted_crossings,
  EXISTS (SELECT 1 FROM credit_grants g WHERE g.customer_id = w.customer_id) AS has_grants`;

const ENTITLEMENT_COLUMNS = `c.id::text AS customer_id,
  coalesce(e.revision = w.revision AND e.customer_updated_at = c.updated_at AND e.period_end > $2::timestamptz
    AND e.computed_at > clock_timestamp() - make_interval(secs => $3::double precision / 1000), false) AS fresh,
  e.allowed, e.reason, e.currency, e.balance::text, e.ongoing_balance::text, e.period_usage::text, e.spend_cap::text,
  e.period_end, (extract(epoch FROM clock_timestamp() - e.computed_at) * 1000)::float8 AS age_ms
FROM customers c LEFT JOIN credit_wallets w ON w.customer_id = c.id LEFT JOIN customer_entitlements e ON e.customer_id = c.id`;

const ENTITLEMENT = `SELECT ${ENTITLEMENT_COLUMNS} WHERE c.organization_id = $1::uuid AND c.external_id = $4::text`;

const ENTITLEMENTS_BY_ID = `SELECT c.organization_id::text, c.external_id, ${ENTITLEMENT_COLUMNS} WHERE c.id = ANY($1::uuid[])`;

/**
 * A CTE body that marks the customers with a credit wallet among the rows of `priced` (a CTE of the events a statement
 * priced, with customer_id and pricing_status) stale, in customer order (the lock order), for the worker's
 * entitlement refresher: pricing's mark, in the statement that prices (the worker's WRITE_PRICED, the api's
 * STORE_PRICED_EVENTS_SQL), so nothing is priced without it. A row already waiting is left alone (no write per batch
 * for a busy customer); a row being refreshed is marked again.
 */
export const MARK_PRICED_STALE = (priced: string) => `
INSERT INTO entitlement_refreshes (customer_id, organization_id, stale_since)
SELECT w.customer_id, w.organization_id, clock_timestamp() FROM credit_wallets w
WHERE w.customer_id IN (SELECT customer_id FROM ${priced} WHERE pricing_status = 'priced')
ORDER BY 1
ON CONFLICT (customer_id) DO UPDATE SET stale_since = excluded.stale_since WHERE entitlement_refreshes.claimed_at IS NOT NULL
RETURNING 1`;

@Injectable()
export class CreditsRepository {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(DB_POOL) private readonly pool: Pool,
  ) {}

  /** The client itself, for reads outside a transaction. */
  get reader(): Tx {
    return this.prisma;
  }

  /** Customers of an organisation by external id, locked (the first lock a change to their credits takes). */
  async lockCustomer(tx: Tx, organizationId: string, externalId: string): Promise<{ id: string; organization_id: string } | null> {
    const rows = await tx.$queryRawUnsafe<{ id: string; organization_id: string }[]>(
      `SELECT id::text, organization_id::text FROM customers WHERE organization_id = $1::uuid AND external_id = $2 FOR UPDATE`,
      organizationId,
      externalId,
    );
    return rows[0] ?? null;
  }

  /** Customers by id, locked in id order. */
  async lockCustomers(tx: Tx, customerIds: readonly string[]): Promise<void> {
    if (customerIds.length === 0) return;
    await tx.$queryRawUnsafe(`SELECT id FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, col(customerIds));
  }

  /** A wallet row for each customer (none changed if it has one). */
  async ensureWallets(tx: Tx, customerIds: readonly string[]): Promise<void> {
    if (customerIds.length === 0) return;
    await tx.$executeRawUnsafe(
      `INSERT INTO credit_wallets (customer_id, organization_id) SELECT id, organization_id FROM customers WHERE id = ANY($1::uuid[])
       ON CONFLICT (customer_id) DO NOTHING`,
      col(customerIds),
    );
  }

  /**
   * The customers' credits or invoices changed (in the caller's transaction): their cached entitlements stop being
   * fresh. Customers without a wallet have no cached entitlement (a read makes the wallet before it computes).
   */
  async touch(tx: Tx, customerIds: readonly string[]): Promise<void> {
    if (customerIds.length === 0) return;
    await tx.$executeRawUnsafe(
      `UPDATE credit_wallets SET revision = revision + 1, updated_at = now() WHERE customer_id = ANY($1::uuid[])`,
      col([...new Set(customerIds)]),
    );
  }

  /** The wallets' revisions and the database's clock, read before the inputs of a computation (see entitlement). */
  async revisions(db: Tx, customerIds: readonly string[]): Promise<{ revisions: Map<string, string>; at: Date }> {
    const rows = await db.$queryRawUnsafe<{ customer_id: string | null; revision: string | null; at: Date }[]>(
      `SELECT w.customer_id::text, w.revision::text, clock_timestamp() AS at
       FROM (SELECT 1) one LEFT JOIN credit_wallets w ON w.customer_id = ANY($1::uuid[])`,
      col(customerIds),
    );
    const revisions = new Map<string, string>();
    for (const r of rows) if (r.customer_id !== null) revisions.set(r.customer_id, r.revision!);
    return { revisions, at: rows[0].at };
  }

  async wallets(db: Tx, customerIds: readonly string[]): Promise<Map<string, WalletRow>> {
    if (customerIds.length === 0) return new Map();
    const rows = await db.$queryRawUnsafe<WalletRow[]>(
      `SELECT ${WALLET_COLUMNS} FROM credit_wallets w WHERE w.customer_id = ANY($1::uuid[])`,
      col(customerIds),
    );
    return new Map(rows.map((r) => [r.customer_id, r]));
  }

  /** The wallet, locked: crossings and top-ups of one customer happen one at a time. */
  async lockWallet(tx: Tx, customerId: string): Promise<WalletRow | null> {
    const rows = await tx.$queryRawUnsafe<WalletRow[]>(
      `SELECT ${WALLET_COLUMNS} FROM credit_wallets w WHERE w.customer_id = $1::uuid FOR UPDATE`,
      customerId,
    );
    return rows[0] ?? null;
  }

  /**
   * Claims up to `max` waiting entitlement refreshes, oldest mark first: those nobody holds, and those whose claim is
   * older than `timeoutMs` (a refresher that died). A short statement, SKIP LOCKED (refreshers take disjoint rows).
   * `claimedAt` is the claim's time as Postgres wrote it (text, exact), the release's token.
   */
  async claimStale(max: number, timeoutMs: number): Promise<{ customerIds: string[]; claimedAt: string | null }> {
    const res = await this.pool.query<{ customer_id: string; claimed_at: string }>(
      `WITH c AS (
         SELECT customer_id FROM entitlement_refreshes
         WHERE claimed_at IS NULL OR claimed_at < now() - make_interval(secs => $2::double precision / 1000)
         ORDER BY stale_since LIMIT $1 FOR UPDATE SKIP LOCKED
       )
       UPDATE entitlement_refreshes r SET claimed_at = now() FROM c WHERE r.customer_id = c.customer_id
       RETURNING r.customer_id::text, r.claimed_at::text`,
      [max, timeoutMs],
    );
    return { customerIds: res.rows.map((r) => r.customer_id), claimedAt: res.rows[0]?.claimed_at ?? null };
  }

  /**
   * Ends a claim (only rows this claim still holds): a row not marked again since the claim is deleted (the refresh
   * read after its mark: claimed_at is before the positions' read), one marked again is waiting again. Locks in
   * customer order, as a mark does.
   */
  async releaseStale(customerIds: readonly string[], claimedAt: string): Promise<void> {
    if (customerIds.length === 0) return;
    const mine = `SELECT customer_id FROM entitlement_refreshes WHERE customer_id = ANY($1::uuid[]) AND claimed_at = $2::timestamptz`;
    await this.pool.query(
      `DELETE FROM entitlement_refreshes WHERE customer_id IN (${mine} ORDER BY customer_id FOR UPDATE)
         AND claimed_at = $2::timestamptz AND stale_since < claimed_at`,
      [col(customerIds), claimedAt],
    );
    await this.unclaimStale(customerIds, claimedAt);
  }

  /** Gives a claim's rows back, waiting (a refresh that failed). */
  async unclaimStale(customerIds: readonly string[], claimedAt: string): Promise<void> {
    if (customerIds.length === 0) return;
    await this.pool.query(
      `UPDATE entitlement_refreshes SET claimed_at = NULL WHERE customer_id IN (
         SELECT customer_id FROM entitlement_refreshes WHERE customer_id = ANY($1::uuid[]) AND claimed_at = $2::timestamptz
         ORDER BY customer_id FOR UPDATE) AND claimed_at = $2::timestamptz`,
      [col(customerIds), claimedAt],
    );
  }

  /** How many entitlements wait for the refresher (claimed or not), and the age of the oldest mark (0 when none). */
  async staleBacklog(): Promise<{ pending: number; oldestSeconds: number }> {
    const res = await this.pool.query<{ pending: number; oldestSeconds: number }>(
      `SELECT count(*)::int AS pending, coalesce(extract(epoch FROM clock_timestamp() - min(stale_since)), 0)::float8 AS "oldestSeconds"
       FROM entitlement_refreshes`,
    );
    return res.rows[0];
  }

  async setTopUp(tx: Tx, customerId: string, rule: TopUpRule | null): Promise<void> {
    await tx.$executeRawUnsafe(
      `UPDATE credit_wallets SET top_up_below = $2::numeric, top_up_amount = $3::numeric, top_up_kind = $4, top_up_priority = $5,
         top_up_expires_in_days = $6, low_armed = true, revision = revision + 1, updated_at = now()
       WHERE customer_id = $1::uuid`,
      customerId,
      rule?.below ?? null,
      rule?.amount ?? null,
      rule?.kind ?? null,
      rule?.priority ?? null,
      rule?.expires_in_days ?? null,
    );
  }

  async setArms(
    tx: Tx,
    customerId: string,
    arms: { low_armed: boolean; low_crossings: number; exhausted_armed: boolean; exhausted_crossings: number },
  ): Promise<void> {
    await tx.$executeRawUnsafe(
      `UPDATE credit_wallets SET low_armed = $2, low_crossings = $3, exhausted_armed = $4, exhausted_crossings = $5, updated_at = now()
       WHERE customer_id = $1::uuid`,
      customerId,
      arms.low_armed,
      arms.low_crossings,
      arms.exhausted_armed,
      arms.exhausted_crossings,
    );
  }

  /** A new grant; an active one gets its `grant` ledger entry in the same statement. */
  async insertGrant(tx: Tx, g: NewGrant, at: Date): Promise<CreditGrantRow> {
    const rows = await tx.$queryRawUnsafe<CreditGrantRow[]>(
      `WITH g AS (
         INSERT INTO credit_grants (id, organization_id, customer_id, kind, status, currency, amount, remaining, priority, expires_at,
           invoice_id, source, created_at, activated_at, updated_at)
         VALUES ($1::uuid, $2::uuid, $3::uuid, $4::text, $5::text, $6::text, $7::numeric, $7::numeric, $8::int, $9::timestamptz,
           $10::uuid, $11::text, $12::timestamptz, CASE WHEN $5::text = 'active' THEN $12::timestamptz END, now())
         RETURNING *
       ), l AS (
         INSERT INTO credit_ledger (organization_id, customer_id, grant_id, kind, amount, created_at)
         SELECT organization_id, customer_id, id, 'grant', amount, $12::timestamptz FROM g WHERE status = 'active'
       )
       SELECT ${GRANT_COLUMNS} FROM g`,
      g.id,
      g.organization_id,
      g.customer_id,
      g.kind,
      g.status,
      g.currency,
      g.amount,
      g.priority,
      g.expires_at,
      g.invoice_id,
      g.source,
      at,
    );
    return rows[0];
  }

  /** The purchased grant of a credit-purchase invoice becomes usable (pending → active, its `grant` entry). */
  async activatePurchase(tx: Tx, invoiceId: string, at: Date): Promise<CreditGrantRow | null> {
    const rows = await tx.$queryRawUnsafe<CreditGrantRow[]>(
      `WITH g AS (
         UPDATE credit_grants SET status = 'active', activated_at = $2::timestamptz, updated_at = now()
         WHERE invoice_id = $1::uuid AND status = 'pending' RETURNING *
       ), l AS (
         INSERT INTO credit_ledger (organization_id, customer_id, grant_id, kind, amount, created_at)
         SELECT organization_id, customer_id, id, 'grant', amount, $2::timestamptz FROM g
       )
       SELECT ${GRANT_COLUMNS} FROM g`,
      invoiceId,
      at,
    );
    return rows[0] ?? null;
  }

  /** A credit-purchase invoice voided before it was paid: its grant never becomes usable. */
  async cancelPurchase(tx: Tx, invoiceId: string): Promise<void> {
    await tx.$executeRawUnsafe(
      `UPDATE credit_grants SET status = 'canceled', updated_at = now() WHERE invoice_id = $1::uuid AND status = 'pending'`,
      invoiceId,
    );
  }

  /** Active grants with something left, of these customers: what an invoice's step 8 may use. */
  usableGrants(db: Tx, customerIds: readonly string[]): Promise<CreditGrantRow[]> {
    if (customerIds.length === 0) return Promise.resolve([]);
    return db.$queryRawUnsafe<CreditGrantRow[]>(
      `SELECT ${GRANT_COLUMNS} FROM credit_grants WHERE customer_id = ANY($1::uuid[]) AND status = 'active' AND remaining > 0
       ORDER BY customer_id, priority, expires_at NULLS LAST, created_at, id`,
      col(customerIds),
    );
  }

  /**
   * Finalized invoices use their grants: each grant's remaining goes down by what the invoices took from it, guarded
   * (`remaining >= taken`: never below zero), with one `consumption` entry per (invoice, grant), in one statement.
   * Throws when a grant had less left than taken (it cannot under the customer's lock: the guard stands behind it).
   */
  async consume(tx: Tx, uses: readonly ConsumptionWrite[], at: Date): Promise<void> {
    if (uses.length === 0) return;
    const grants = new Set(uses.map((u) => u.grant_id)).size;
    const rows = await tx.$queryRawUnsafe<{ grants: number }[]>(
      `WITH v AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::numeric[]) AS v(invoice_id, grant_id, amount)
       ), per AS (
         SELECT grant_id, sum(amount) AS amount FROM v GROUP BY grant_id
       ), u AS (
         UPDATE credit_grants g SET remaining = g.remaining - per.amount, updated_at = now()
         FROM per WHERE g.id = per.grant_id AND g.status = 'active' AND g.remaining >= per.amount
         RETURNING g.id, g.organization_id, g.customer_id
       ), l AS (
         INSERT INTO credit_ledger (organization_id, customer_id, grant_id, kind, amount, invoice_id, created_at)
         SELECT u.organization_id, u.customer_id, u.id, 'consumption', -v.amount, v.invoice_id, $4::timestamptz FROM v JOIN u ON u.id = v.grant_id
       )
       SELECT count(*)::int AS grants FROM u`,
      col(uses.map((u) => u.invoice_id)),
      col(uses.map((u) => u.grant_id)),
      col(uses.map((u) => u.amount)),
      at,
    );
    if (rows[0].grants !== grants)
      throw new Error(`credit consumption: ${grants - rows[0].grants} grant(s) had less left than the invoices used`);
  }

  /**
   * A voided invoice gives back what it used: a `reversal` entry per grant it consumed, the grants' remaining up by
   * as much (a grant expired meanwhile is expired again by the expiry job). Returns how many grants it gave back to.
   */
  async reverse(tx: Tx, invoiceId: string, at: Date): Promise<number> {
    const rows = await tx.$queryRawUnsafe<{ n: number }[]>(
      `WITH c AS (
         SELECT organization_id, customer_id, grant_id, -amount AS amount FROM credit_ledger WHERE invoice_id = $1::uuid AND kind = 'consumption'
       ), u AS (
         UPDATE credit_grants g SET remaining = g.remaining + c.amount, updated_at = now() FROM c WHERE g.id = c.grant_id RETURNING g.id
       ), l AS (
         INSERT INTO credit_ledger (organization_id, customer_id, grant_id, kind, amount, invoice_id, created_at)
         SELECT organization_id, customer_id, grant_id, 'reversal', amount, $1::uuid, $2::timestamptz FROM c
       )
       SELECT count(*)::int AS n FROM u`,
      invoiceId,
      at,
    );
    return rows[0].n;
  }

  /** Grants past their expiry with something left (candidates: expire() decides under the lock). */
  async dueExpiries(now: Date, limit: number): Promise<{ id: string; customer_id: string }[]> {
    return this.prisma.$queryRawUnsafe<{ id: string; customer_id: string }[]>(
      `SELECT id::text, customer_id::text FROM credit_grants WHERE status = 'active' AND remaining > 0 AND expires_at <= $1
       ORDER BY expires_at, id LIMIT $2`,
      now,
      limit,
    );
  }

  /**
   * Expires grants (their customers locked by the caller): remaining → 0 with an `expiry` entry of what was left,
   * guarded (still active, something left, expired by `now`), so a grant expires once however many workers try.
   * Returns the grants expired here, with their customers.
   */
  async expire(tx: Tx, grantIds: readonly string[], now: Date): Promise<{ id: string; customer_id: string }[]> {
    if (grantIds.length === 0) return [];
    return tx.$queryRawUnsafe<{ id: string; customer_id: string }[]>(
      `WITH old AS (
         SELECT id, organization_id, customer_id, remaining FROM credit_grants
         WHERE id = ANY($1::uuid[]) AND status = 'active' AND remaining > 0 AND expires_at <= $2::timestamptz FOR UPDATE
       ), u AS (
         UPDATE credit_grants g SET remaining = 0, updated_at = now() FROM old WHERE g.id = old.id
         RETURNING old.id, old.organization_id, old.customer_id, old.remaining
       ), l AS (
         INSERT INTO credit_ledger (organization_id, customer_id, grant_id, kind, amount, created_at)
         SELECT organization_id, customer_id, id, 'expiry', -remaining, $2::timestamptz FROM u
       )
       SELECT id::text, customer_id::text FROM u`,
      col(grantIds),
      now,
    );
  }

  /** Σ remaining of the customers' active grants not expired at `now`. */
  async balances(db: Tx, customerIds: readonly string[], now: Date): Promise<Map<string, string>> {
    if (customerIds.length === 0) return new Map();
    const rows = await db.$queryRawUnsafe<{ customer_id: string; balance: string }[]>(
      `SELECT customer_id::text, sum(remaining)::text AS balance FROM credit_grants
       WHERE customer_id = ANY($1::uuid[]) AND status = 'active' AND (expires_at IS NULL OR expires_at > $2::timestamptz) GROUP BY 1`,
      col(customerIds),
      now,
    );
    return new Map(rows.map((r) => [r.customer_id, r.balance]));
  }

  /** Σ subtotal of the customers' usage drafts as last computed: owed, not yet taken from the wallet. */
  async draftSubtotals(db: Tx, customerIds: readonly string[]): Promise<Map<string, string>> {
    if (customerIds.length === 0) return new Map();
    const rows = await db.$queryRawUnsafe<{ customer_id: string; subtotal: string }[]>(
      `SELECT customer_id::text, sum(subtotal)::text AS subtotal FROM invoices
       WHERE customer_id = ANY($1::uuid[]) AND type = 'usage' AND status = 'draft' GROUP BY 1`,
      col(customerIds),
    );
    return new Map(rows.map((r) => [r.customer_id, r.subtotal]));
  }

  /** The customers' own fields a position is computed from. */
  positionCustomers(db: Tx, customerIds: readonly string[]): Promise<PositionCustomerRow[]> {
    if (customerIds.length === 0) return Promise.resolve([]);
    return db.$queryRawUnsafe<PositionCustomerRow[]>(
      `SELECT id::text, organization_id::text, external_id, plan_code, billing_anchor, discount::text, spend_cap::text, updated_at
       FROM customers WHERE id = ANY($1::uuid[])`,
      col(customerIds),
    );
  }

  /** Which of these customers' current periods have a usage invoice already (closed early): the next invoice is the next period's. */
  async periodsInvoiced(db: Tx, customerIds: readonly string[], starts: readonly Date[]): Promise<Set<string>> {
    if (customerIds.length === 0) return new Set();
    const rows = await db.$queryRawUnsafe<{ customer_id: string }[]>(
      `SELECT DISTINCT i.customer_id::text FROM unnest($1::uuid[], $2::timestamptz[]) AS v(customer_id, start)
       JOIN invoices i ON i.customer_id = v.customer_id AND i.period_start = v.start AND i.type = 'usage' AND i.status <> 'void'`,
      col(customerIds),
      col(starts),
    );
    return new Set(rows.map((r) => r.customer_id));
  }

  /** A customer's grants that are pending or still have something left, in the order they are used. */
  walletGrants(db: Tx, customerId: string): Promise<CreditGrantRow[]> {
    return db.$queryRawUnsafe<CreditGrantRow[]>(
      `SELECT ${GRANT_COLUMNS} FROM credit_grants WHERE customer_id = $1::uuid AND (status = 'pending' OR status = 'active' AND remaining > 0)
       ORDER BY priority, expires_at NULLS LAST, created_at, id`,
      customerId,
    );
  }

  /** A page of a customer's ledger, oldest first, after the entry `afterId`. */
  ledger(db: Tx, customerId: string, afterId: bigint | null, limit: number): Promise<LedgerRow[]> {
    return db.$queryRawUnsafe<LedgerRow[]>(
      `SELECT id::text, grant_id::text, kind, amount::text, invoice_id::text, created_at FROM credit_ledger
       WHERE customer_id = $1::uuid AND credit_ledger.id > $2::bigint ORDER BY credit_ledger.id LIMIT $3`,
      customerId,
      (afterId ?? 0n).toString(),
      limit,
    );
  }

  /**
   * The cached entitlement of a customer, and whether it is fresh: computed under the wallet's current revision, for
   * the customer as it is now (spending cap, plan), in a period that has not ended at `now` (the billing clock), less
   * than `maxAgeMs` ago (the database's clock, which computed_at is in). Null
   * for an unknown customer; `fresh: false` when there is no row or it is stale.
   */
  async entitlement(organizationId: string, externalId: string, now: Date, maxAgeMs: number): Promise<CachedEntitlementRow | null> {
    // On the pool, as a named statement: every agent call asks this, and Prisma's raw query costs several times
    // the CPU of pg's for one row.
    const res = await this.pool.query<CachedEntitlementRow>({
      name: 'entitlement',
      text: ENTITLEMENT,
      values: [organizationId, now, maxAgeMs, externalId],
    });
    return res.rows[0] ?? null;
  }

  /** The cached entitlements of these customers, as `entitlement` reads one (customers that do not exist: no row). */
  async entitlementsById(customerIds: readonly string[], now: Date, maxAgeMs: number): Promise<CachedEntitlementByIdRow[]> {
    if (customerIds.length === 0) return [];
    const res = await this.pool.query<CachedEntitlementByIdRow>({
      name: 'entitlements-by-id',
      text: ENTITLEMENTS_BY_ID,
      values: [col(customerIds), now, maxAgeMs],
    });
    return res.rows;
  }

  /** Stores computed entitlements; a row computed later (revision, then clock) is never replaced by an earlier one. */
  async writeEntitlements(rows: readonly EntitlementWrite[]): Promise<void> {
    if (rows.length === 0) return;
    const c = <K extends keyof EntitlementWrite>(k: K) => col(rows.map((r) => r[k]));
    await this.prisma.$executeRawUnsafe(
      `INSERT INTO customer_entitlements AS e (customer_id, organization_id, revision, customer_updated_at, period_end, currency, allowed, reason,
         balance, ongoing_balance, period_usage, spend_cap, computed_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int8[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::bool[], $8::text[],
         $9::numeric[], $10::numeric[], $11::numeric[], $12::numeric[], $13::timestamptz[])
       ON CONFLICT (customer_id) DO UPDATE SET revision = excluded.revision, customer_updated_at = excluded.customer_updated_at,
         period_end = excluded.period_end, currency = excluded.currency, allowed = excluded.allowed, reason = excluded.reason,
         balance = excluded.balance, ongoing_balance = excluded.ongoing_balance, period_usage = excluded.period_usage,
         spend_cap = excluded.spend_cap, computed_at = excluded.computed_at
       WHERE (excluded.revision, excluded.computed_at) >= (e.revision, e.computed_at)`,
      c('customer_id'),
      c('organization_id'),
      c('revision'),
      c('customer_updated_at'),
      c('period_end'),
      c('currency'),
      c('allowed'),
      c('reason'),
      c('balance'),
      c('ongoing_balance'),
      c('period_usage'),
      c('spend_cap'),
      c('computed_at'),
    );
  }
}
