import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import type { Tx } from './database';
import { USAGE_DIMENSIONS, type UsageDimension } from '@tollgate/pricing';
import { DB_POOL } from './tokens';

// The analytics reports' reads (docs/design.md "Analytics"). Raw SQL, not Prisma: sums over the rollups grouped by
// the dimensions a report asks for, and the invoices' lines with what the attribution needs; never the events.

/** What a margin report may group by (one or two of them). */
export type AnalyticsDimension = 'customer' | 'model' | 'provider' | 'charge' | 'feature' | 'task' | 'day';

const DAILY_KEYS: Record<AnalyticsDimension, string> = {
  customer: 'c.external_id',
  model: 'd.model',
  provider: 'd.provider',
  charge: 'd.charge',
  feature: "nullif(d.feature, '')",
  task: "nullif(d.task_name, '')",
  day: "to_char(d.day, 'YYYY-MM-DD')",
};
/** The dimensions analytics_periods keeps: a report grouped by these reads whole periods from it. */
const PERIOD_DIMENSIONS: readonly AnalyticsDimension[] = ['customer', 'model', 'provider', 'charge'];

/** Sums of usage in exact text. */
export interface UsageSums {
  events: string;
  provider_cost: string;
  rated_amount: string;
  retry_events: string;
  retry_provider_cost: string;
  cache_read_savings: string;
  cache_write_extra: string;
  tokens: Record<UsageDimension, string>;
}

/**
 * Rated usage of one charge of one customer's billing period: in the range under group keys, or (in_range false,
 * keys null) the part of the period outside the range, which only weighs in the attribution of its invoice lines.
 */
export interface MarginCellRow {
  customer_id: string;
  /** period_start as Postgres writes it (the key AttributionLineRow.period_start matches). */
  period_start: string;
  charge: string;
  in_range: boolean;
  keys: (string | null)[];
  rated_amount: string;
}

/** A group's usage in the range, summed in Postgres: amounts without trailing zeros. */
export interface MarginSumsRow extends Pick<UsageSums, 'events' | 'provider_cost' | 'tokens'> {
  keys: (string | null)[];
}

export interface MarginCells {
  cells: MarginCellRow[];
  /** Per group keys (in range only). */
  groups: MarginSumsRow[];
  /** Every group's sums together (keys empty); null without usage in the range. */
  totals: MarginSumsRow | null;
}

/** A line of a (not void) usage invoice that bills usage the range touches, or of an invoice of a period in it. */
export interface AttributionLineRow {
  invoice_id: string;
  customer_id: string;
  external_customer_id: string;
  currency: string;
  /** Whether the invoice's own period starts in the range (its customer-level lines count then). */
  invoice_in_range: boolean;
  /** The invoice's own period start, as Postgres writes it. */
  invoice_period_start: string;
  position: number;
  type: string;
  charge: string | null;
  /** Usage and late-usage lines: the billing period they bill, as Postgres writes it. */
  period_start: string | null;
  amount: string;
  /** The line's charge has allowance_eligible in the invoice's plan version. */
  allowance_eligible: boolean;
}

/** A finest cell (an analytics_periods row) of a billed period: what stored revenue shares are split over. */
export interface ShareCellRow {
  customer_id: string;
  /** As Postgres writes it (the key AttributionLineRow.period_start matches). */
  period_start: string;
  charge: string;
  provider: string;
  model: string;
  rated_amount: string;
}

/** A revenue_shares row (docs/design.md "Analytics": stored revenue shares). */
export interface RevenueShare {
  invoiceId: string;
  customerId: string;
  /** The billed period's start (invoiceLevel false) or the invoice's own, as Postgres writes it. */
  periodStart: string;
  invoiceLevel: boolean;
  /** '' at the customer level. */
  charge: string;
  provider: string;
  model: string;
  /** Thousandths of the currency unit. */
  revenueMilli: bigint;
  currency: string;
}

/** RevenueShare's fields in the order refreshRevenueShares' insert takes them. */
const SHARE_COLUMNS = [
  'invoiceId',
  'customerId',
  'periodStart',
  'invoiceLevel',
  'charge',
  'provider',
  'model',
  'revenueMilli',
  'currency',
] as const satisfies readonly (keyof RevenueShare)[];

/** Computes the shares of the invoices whose lines are given (those without lines, void ones, get none). */
export type ComputeRevenueShares = (lines: AttributionLineRow[], cells: ShareCellRow[]) => RevenueShare[];

/** A group of the margin report read from stored shares: its usage and its revenue in thousandths. */
export interface ShareGroupRow extends MarginSumsRow {
  revenue: string;
}

export interface MarginFromShares {
  groups: ShareGroupRow[];
  totals: ShareGroupRow;
  /** The currencies of the invoices counted. */
  currencies: string[];
}

/**
 * A row of marginFromShares' statement, flat (no arrays to parse: tens of thousands of groups): total, the keys,
 * events, provider_cost, the tokens in USAGE_DIMENSIONS order, revenue, currencies (on the totals' row).
 */
type ShareSumsRow = (boolean | string | string[] | null)[];

/** A customer's usage of one model and charge in one of its three latest periods (started by `now`). */
export interface PeriodUsageRow extends UsageSums {
  customer_id: string;
  external_id: string;
  plan_code: string;
  discount: string;
  period_start: Date;
  period_end: Date;
  /** 1: the latest period started, 2 the one before, 3 the one before that. */
  rank: number;
  charge: string;
  model: string;
}

/** Cost per task of one task kind (the SDK's task name; '' for tasks without one) over a range. */
export interface TaskKindRow {
  task_name: string;
  tasks: string;
  calls: string;
  /** Nearest-rank percentiles of the calls and the provider cost per task, exact. */
  calls_p50: string;
  calls_p95: string;
  calls_max: string;
  cost: string;
  cost_p50: string;
  cost_p95: string;
  cost_max: string;
  retry_calls: string;
  retry_cost: string;
}

export interface LongTaskRow {
  task_id: string;
  task_name: string;
  external_customer_id: string;
  calls: string;
  retry_calls: string;
  cost: string;
  first_day: string;
  last_day: string;
}

/** Prompt-cache figures of a customer and model (or a day) over a range. */
export interface CacheRow {
  external_customer_id: string | null;
  model: string | null;
  day: string | null;
  input_tokens: string;
  cache_read_tokens: string;
  cache_write_tokens: string;
  cache_write_1h_tokens: string;
  cache_read_savings: string;
  cache_write_extra: string;
}

/** A card version written lately whose prices differ from the version before it. */
export interface PriceChangeRow {
  id: string;
  /** 'list', or the organisation of an override. */
  scope: string;
  provider: string;
  model: string;
  prices: Record<string, string>;
  effective_from: Date;
  previous_id: string;
  previous_prices: Record<string, string>;
}

/** A customer's usage of a model in its latest complete period, per charge. */
export interface ModelPeriodUsageRow {
  organization_id: string;
  customer_id: string;
  external_id: string;
  plan_code: string;
  discount: string;
  period_start: Date;
  period_end: Date;
  charge: string;
  provider_cost: string;
  tokens: Record<UsageDimension, string>;
}

export interface NewPriceChange {
  organizationId: string;
  provider: string;
  model: string;
  previousVersionId: string;
  versionId: string;
  effectiveFrom: Date;
  pricesBefore: Record<string, string>;
  pricesAfter: Record<string, string>;
  costChange: string;
  marginChange: string;
  customers: unknown[];
}

export interface PriceChangeListRow {
  id: string;
  seq: string;
  provider: string;
  model: string;
  previous_version_id: string;
  rate_card_version_id: string;
  effective_from: Date;
  prices_before: Record<string, string>;
  prices_after: Record<string, string>;
  cost_change: string;
  margin_change: string;
  customers: unknown[];
  created_at: Date;
}

type WithTokens<T> = Omit<T, 'tokens'> & { tokens: string[] };

const SUMS = `sum(events)::text AS events, sum(provider_cost)::text AS provider_cost, sum(rated_amount)::text AS rated_amount,
  sum(retry_events)::text AS retry_events, sum(retry_provider_cost)::text AS retry_provider_cost,
  sum(cache_read_savings)::text AS cache_read_savings, sum(cache_write_extra)::text AS cache_write_extra,
  ARRAY[${USAGE_DIMENSIONS.map((d) => `sum(${d})`).join(', ')}]::text[] AS tokens`;

/** The columns of a rollup row the margin report sums. */
const MARGIN_COLUMNS = ['events', 'provider_cost', 'rated_amount', ...USAGE_DIMENSIONS];

function withTokens<T extends { tokens: Record<UsageDimension, string> }>(r: WithTokens<T>): T {
  const tokens = {} as Record<UsageDimension, string>;
  for (let d = 0; d < USAGE_DIMENSIONS.length; d++) tokens[USAGE_DIMENSIONS[d]] = r.tokens[d];
  return { ...r, tokens } as unknown as T;
}

/** The (customer, period) pairs with usage whose period overlaps the range [$2, $3) of organisation $1. */
const OVERLAPPING = `SELECT DISTINCT customer_id, period_start FROM analytics_periods
  WHERE organization_id = $1 AND period_start < $3::timestamptz AND period_end > $2::timestamptz`;

/**
 * The lines of the usage invoices that are not void among those of the CTE `ids` (a column id), of organisation $1,
 * in order: AttributionLineRow, `invoiceInRange` its invoice_in_range. Follows a WITH list.
 */
const INVOICE_LINES = (invoiceInRange: string) => `eligible AS (
    SELECT p.id AS plan_version_id, ch->>'name' AS charge FROM plans p, jsonb_array_elements(p.definition->'charges') ch
    WHERE p.organization_id = $1 AND (ch->>'allowance_eligible')::boolean
  )
  SELECT i.id::text AS invoice_id, i.customer_id::text, c.external_id AS external_customer_id, i.currency,
    ${invoiceInRange} AS invoice_in_range, i.period_start::text AS invoice_period_start,
    l.position, l.type, l.charge, l.period_start::text, l.amount::text, (e.charge IS NOT NULL) AS allowance_eligible
  FROM ids JOIN invoices i ON i.id = ids.id JOIN customers c ON c.id = i.customer_id JOIN invoice_lines l ON l.invoice_id = i.id
  LEFT JOIN eligible e ON e.plan_version_id = i.plan_version_id AND e.charge = l.charge
  WHERE i.organization_id = $1 AND i.type = 'usage' AND i.status <> 'void'
  ORDER BY i.id, l.position`;

/** A row of marginCells' statement: set, customer_id, period_start, charge, in_range, MARGIN_COLUMNS, keys. */
type MarginColumns = (number | string | boolean | null)[];

function marginCellsOf(rows: MarginColumns[], dimensions: number): MarginCells {
  const out: MarginCells = { cells: [], groups: [], totals: null };
  const first = 5;
  const keysAt = first + MARGIN_COLUMNS.length;
  for (const r of rows) {
    const keys = r[4] ? (r.slice(keysAt, keysAt + dimensions) as (string | null)[]) : null;
    if (r[0] === 0) {
      out.cells.push({
        customer_id: r[1] as string,
        period_start: r[2] as string,
        charge: r[3] as string,
        in_range: r[4] as boolean,
        keys: keys ?? [],
        rated_amount: r[first + 2] as string,
      });
      continue;
    }
    const tokens = {} as Record<UsageDimension, string>;
    for (let d = 0; d < USAGE_DIMENSIONS.length; d++) tokens[USAGE_DIMENSIONS[d]] = r[first + 3 + d] as string;
    const sums: MarginSumsRow = { keys: keys!, events: r[first] as string, provider_cost: r[first + 1] as string, tokens };
    if (r[0] === 1) out.groups.push(sums);
    else out.totals = { ...sums, keys: [] };
  }
  if (dimensions === 0 && out.totals) out.groups.push(out.totals);
  return out;
}

/** Days are UTC dates: [from, to) as 'YYYY-MM-DD'. */
const day = (d: Date) => d.toISOString().slice(0, 10);

@Injectable()
export class AnalyticsRepository {
  constructor(@Inject(DB_POOL) private readonly pool: Pool) {}

  /**
   * A report's read, with JIT compilation off: on these sub-second sums over many rows Postgres' cost estimates
   * start JIT, which costs seconds of compilation to save milliseconds.
   */
  private read<R extends QueryResultRow>(text: string, values: unknown[], rowMode?: 'array'): Promise<QueryResult<R>> {
    return this.transaction(
      'BEGIN READ ONLY',
      async (client) => (rowMode ? await client.query({ text, values, rowMode }) : await client.query<R>(text, values)) as QueryResult<R>,
    );
  }

  /** `work` in a transaction (`begin` starts it) on one client, JIT off and work_mem raised. */
  private async transaction<T>(begin: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query(begin);
      await client.query('SET LOCAL jit = off');
      await client.query(`SET LOCAL work_mem = '64MB'`);
      const res = await work(client);
      await client.query('COMMIT');
      return res;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Usage of the range [from, to) (UTC midnights): its rated amount per charge of each customer's period and per
   * group keys, with the rest of every period the range cuts (see MarginCellRow), and the sums per group and in
   * all, in one pass (grouping sets). Periods wholly inside the range are read from analytics_periods when the keys
   * allow it; the days of the others (all, when they do not) by their primary key, period by period, so that a range
   * of whole periods reads no daily row.
   */
  async marginCells(organizationId: string, from: Date, to: Date, dimensions: readonly AnalyticsDimension[]): Promise<MarginCells> {
    const byPeriods = dimensions.every((k) => PERIOD_DIMENSIONS.includes(k));
    const customers = dimensions.includes('customer') ? 'JOIN customers c ON c.id = d.customer_id' : '';
    const whole = `d.period_start >= $2::timestamptz AND d.period_end <= $3::timestamptz`;
    const inDays = `d.day >= $2::date AND d.day < $3::date`;
    const keys = dimensions.map((k, i) => `k${i}`);
    const columns = MARGIN_COLUMNS.map((c) => `d.${c}`).join(', ');
    const periods = `
      SELECT d.customer_id, d.period_start, d.charge, true AS in_range, ${dimensions.map((k, i) => `${DAILY_KEYS[k]} AS k${i}, `).join('')}${columns}
      FROM analytics_periods d ${customers}
      WHERE d.organization_id = $1 AND ${whole}`;
    // The (customer, period) pairs to read day by day: every one the range overlaps, or those it cuts. OFFSET 0 keeps
    // the lateral read a nested loop over the pairs (an index scan each), not a join the planner may turn into a scan.
    const pairs = `SELECT d.customer_id, d.period_start FROM analytics_periods d
      WHERE d.organization_id = $1 AND d.period_start < $3::timestamptz AND d.period_end > $2::timestamptz
      GROUP BY d.customer_id, d.period_start ${byPeriods ? `HAVING bool_or(NOT (${whole}))` : ''}`;
    const daily = `
      SELECT d.customer_id, d.period_start, d.charge, (${inDays}) AS in_range,
        ${dimensions.map((k, i) => `CASE WHEN ${inDays} THEN ${DAILY_KEYS[k]} END AS k${i}, `).join('')}${columns}
      FROM (${pairs}) p
      CROSS JOIN LATERAL (SELECT * FROM analytics_daily d WHERE d.customer_id = p.customer_id AND d.period_start = p.period_start
                          ${byPeriods ? `AND NOT (${whole})` : ''} OFFSET 0) d ${customers}`;
    // A cell needs its rated amount only, a group everything else.
    const sum = (c: string) =>
      c === 'rated_amount'
        ? `CASE WHEN GROUPING(customer_id) = 0 THEN sum(${c})::text END`
        : `CASE WHEN GROUPING(customer_id) = 1 THEN trim_scale(sum(${c}))::text END`;
    const k = keys.map((key) => `, ${key}`).join('');
    // Column 0: 0 for a cell, 1 for a group's sums, 2 for the totals. Unordered: attributeRevenue orders what it splits.
    const res = await this.read<MarginColumns>(
      `SELECT CASE WHEN GROUPING(customer_id) = 0 THEN 0 WHEN ${keys.length > 0 ? 'GROUPING(k0) = 0' : 'false'} THEN 1 ELSE 2 END AS set,
         customer_id::text, period_start::text, charge, in_range, ${MARGIN_COLUMNS.map(sum).join(', ')}${k}
       FROM (${byPeriods ? `${periods} UNION ALL ` : ''}${daily}) u
       GROUP BY GROUPING SETS ((customer_id, period_start, charge, in_range${k}), ${keys.length > 0 ? `(in_range${k}), ` : ''}(in_range))
       HAVING in_range OR GROUPING(customer_id) = 0`,
      [organizationId, day(from), day(to)],
      'array',
    );
    return marginCellsOf(res.rows, dimensions.length);
  }

  /**
   * The lines of every usage invoice that is not void and either bills usage of a period the range touches or is
   * of a period starting in it, in order (docs/design.md "Analytics": how revenue is attributed).
   */
  async attributionLines(organizationId: string, from: Date, to: Date): Promise<AttributionLineRow[]> {
    const res = await this.read<AttributionLineRow>(
      `WITH touched AS (${OVERLAPPING}), ids AS (
         SELECT id FROM invoices WHERE organization_id = $1 AND period_start >= $2::timestamptz AND period_start < $3::timestamptz
         UNION
         SELECT l.invoice_id FROM invoice_lines l JOIN touched t ON t.customer_id = l.customer_id AND t.period_start = l.period_start
       ), ${INVOICE_LINES('(i.period_start >= $2::timestamptz AND i.period_start < $3::timestamptz)')}`,
      [organizationId, day(from), day(to)],
    );
    return res.rows;
  }

  /**
   * Whether the range [from, to) cuts a (customer, period) pair with usage: some analytics_periods row overlapping
   * it does not lie wholly inside it.
   */
  async cutsPeriods(organizationId: string, from: Date, to: Date): Promise<boolean> {
    const res = await this.read<{ cut: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM analytics_periods WHERE organization_id = $1 AND period_start < $3::timestamptz AND period_end > $2::timestamptz
           AND NOT (period_start >= $2::timestamptz AND period_end <= $3::timestamptz)
       ) AS cut`,
      [organizationId, day(from), day(to)],
    );
    return res.rows[0].cut;
  }

  /**
   * Rewrites the revenue shares of the organisation's stale invoices, in one transaction: takes their marks, reads
   * their lines and the finest cells of the periods they bill, computes the shares (`compute`), and replaces the
   * invoices' shares. Returns how many invoices it took.
   */
  async refreshRevenueShares(organizationId: string, compute: ComputeRevenueShares): Promise<number> {
    return this.transaction('BEGIN', async (client) => {
      // The marks this statement deletes are the invoices this transaction computes. A change marks its invoice in
      // its own transaction and keeps the mark locked until it commits (the triggers update a mark already there):
      // a mark a change holds makes this statement wait for its commit, so the reads below see the change. A change
      // that marks after this statement writes a mark of its own (waiting for our commit if it needs the row we
      // deleted), left for the next refresh even if our reads saw the change already; so does a change whose new
      // mark was not committed when we deleted.
      const taken = await client.query<{ id: string }>(
        'DELETE FROM revenue_shares_stale WHERE organization_id = $1 RETURNING invoice_id::text AS id',
        [organizationId],
      );
      const ids = taken.rows.map((r) => r.id);
      if (ids.length === 0) return 0;
      const lines = await client.query<AttributionLineRow>(`WITH ids AS (SELECT unnest($2::uuid[]) AS id), ${INVOICE_LINES('true')}`, [
        organizationId,
        ids,
      ]);
      const cells = await client.query<ShareCellRow>(
        `SELECT a.customer_id::text, a.period_start::text, a.charge, a.provider, a.model, a.rated_amount::text
         FROM (SELECT DISTINCT customer_id, period_start FROM invoice_lines WHERE invoice_id = ANY($1::uuid[]) AND period_start IS NOT NULL) p
         JOIN analytics_periods a ON a.customer_id = p.customer_id AND a.period_start = p.period_start`,
        [ids],
      );
      const shares = compute(lines.rows, cells.rows);
      await client.query('DELETE FROM revenue_shares WHERE invoice_id = ANY($1::uuid[])', [ids]);
      if (shares.length > 0)
        await client.query(
          `INSERT INTO revenue_shares (invoice_id, organization_id, customer_id, period_start, invoice_level, charge, provider, model,
             revenue_milli, currency)
           SELECT invoice_id, $1::uuid, customer_id, period_start, invoice_level, charge, provider, model, revenue_milli, currency
           FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::boolean[], $6::text[], $7::text[], $8::text[], $9::int8[], $10::text[])
             AS s(invoice_id, customer_id, period_start, invoice_level, charge, provider, model, revenue_milli, currency)`,
          [organizationId, ...SHARE_COLUMNS.map((c) => shares.map((r) => (c === 'revenueMilli' ? r[c].toString() : r[c])))],
        );
      return ids.length;
    });
  }

  /**
   * The margin report over whole periods from stored shares, for keys among customer, model, provider and charge
   * (the caller checked that the range cuts no period and refreshed the shares): the usage of the periods inside
   * [from, to) from analytics_periods, and the revenue of the shares whose period starts in it (an invoice's
   * customer-level revenue by its own period, the rest by the period it billed), per group and in all, in one
   * statement. Customer-level shares carry null under every key but the customer.
   */
  async marginFromShares(
    organizationId: string,
    from: Date,
    to: Date,
    dimensions: readonly AnalyticsDimension[],
  ): Promise<MarginFromShares> {
    if (dimensions.length === 0 || !dimensions.every((k) => PERIOD_DIMENSIONS.includes(k)))
      throw new Error(`stored shares are not kept by ${dimensions.join(', ')}`);
    const customers = (alias: string) => (dimensions.includes('customer') ? `JOIN customers c ON c.id = ${alias}.customer_id` : '');
    const shareKey = (k: AnalyticsDimension) =>
      k === 'customer' ? 'c.external_id' : `CASE WHEN s.invoice_level OR s.charge = '' THEN NULL ELSE s.${k} END`;
    const keys = dimensions.map((_, i) => `k${i}`).join(', ');
    const usage = ['events', 'provider_cost', ...USAGE_DIMENSIONS];
    const sum = (c: string) => `coalesce(trim_scale(sum(${c})), 0)::text`;
    const res = await this.read<ShareSumsRow>(
      `SELECT GROUPING(k0) = 1 AS total, ${keys}, ${sum('events')} AS events, ${sum('provider_cost')} AS provider_cost,
         ${USAGE_DIMENSIONS.map(sum).join(', ')}, sum(revenue)::text AS revenue,
         CASE WHEN GROUPING(k0) = 1 THEN array_agg(DISTINCT currency) FILTER (WHERE currency IS NOT NULL) END AS currencies
       FROM (
         SELECT ${dimensions.map((k, i) => `${DAILY_KEYS[k]} AS k${i}`).join(', ')}, ${usage.map((c) => `d.${c}`).join(', ')},
           0::int8 AS revenue, NULL::text AS currency, true AS counts
         FROM analytics_periods d ${customers('d')}
         WHERE d.organization_id = $1 AND d.period_start >= $2::timestamptz AND d.period_end <= $3::timestamptz
         UNION ALL
         SELECT ${dimensions.map((k, i) => `${shareKey(k)} AS k${i}`).join(', ')}, ${usage.map(() => 'NULL').join(', ')},
           s.revenue_milli, s.currency, s.revenue_milli <> 0
         FROM revenue_shares s ${customers('s')}
         WHERE s.organization_id = $1 AND s.period_start >= $2::timestamptz AND s.period_start < $3::timestamptz
       ) u
       GROUP BY GROUPING SETS ((${keys}), ())
       HAVING GROUPING(k0) = 1 OR bool_or(counts)`,
      [organizationId, day(from), day(to)],
      'array',
    );
    const n = dimensions.length;
    const at = 1 + n;
    const out: MarginFromShares = { groups: [], totals: null as unknown as ShareGroupRow, currencies: [] };
    for (const r of res.rows) {
      const tokens = {} as Record<UsageDimension, string>;
      for (let d = 0; d < USAGE_DIMENSIONS.length; d++) tokens[USAGE_DIMENSIONS[d]] = r[at + 2 + d] as string;
      const revenue = r[at + 2 + USAGE_DIMENSIONS.length] as string | null;
      const row: ShareGroupRow = {
        keys: r.slice(1, at) as (string | null)[],
        events: r[at] as string,
        provider_cost: r[at + 1] as string,
        tokens,
        revenue: revenue ?? '0',
      };
      if (r[0]) {
        out.totals = { ...row, keys: [] };
        out.currencies = (r[at + 3 + USAGE_DIMENSIONS.length] as string[] | null) ?? [];
      } else out.groups.push(row);
    }
    return out;
  }

  /** The organisation's target margin (a fraction of revenue), as text. */
  async targetMargin(organizationId: string): Promise<string | null> {
    const res = await this.pool.query<{ t: string }>('SELECT target_margin::text AS t FROM organizations WHERE id = $1', [organizationId]);
    return res.rows[0]?.t ?? null;
  }

  /** Each customer's three latest periods started by `now`, per charge and model (from analytics_periods). */
  async latestPeriods(organizationId: string, now: Date): Promise<PeriodUsageRow[]> {
    const res = await this.read<WithTokens<PeriodUsageRow>>(
      `WITH p AS (
         SELECT customer_id, period_start, dense_rank() OVER (PARTITION BY customer_id ORDER BY period_start DESC)::int AS rank
         FROM (SELECT DISTINCT customer_id, period_start FROM analytics_periods WHERE organization_id = $1 AND period_start <= $2) x
       )
       SELECT d.customer_id::text, c.external_id, c.plan_code, c.discount::text, d.period_start, max(d.period_end) AS period_end, p.rank,
         d.charge, d.model, ${SUMS}
       FROM analytics_periods d JOIN p ON p.customer_id = d.customer_id AND p.period_start = d.period_start AND p.rank <= 3
       JOIN customers c ON c.id = d.customer_id
       WHERE d.organization_id = $1
       GROUP BY d.customer_id, c.external_id, c.plan_code, c.discount, d.period_start, p.rank, d.charge, d.model`,
      [organizationId, now],
    );
    return res.rows.map(withTokens);
  }

  /** The totals of the (not void) usage invoices of these customers' periods: customer id + period start (ms) -> total. */
  async periodInvoiceTotals(customerIds: readonly string[], periodStarts: readonly Date[]): Promise<Map<string, string>> {
    if (customerIds.length === 0) return new Map();
    const res = await this.pool.query<{ customer_id: string; period_start: Date; total: string }>(
      `SELECT i.customer_id::text, i.period_start, i.total::text FROM invoices i
       JOIN unnest($1::uuid[], $2::timestamptz[]) AS p(customer_id, period_start) ON p.customer_id = i.customer_id AND p.period_start = i.period_start
       WHERE i.type = 'usage' AND i.status <> 'void'`,
      [customerIds, periodStarts],
    );
    return new Map(res.rows.map((r) => [`${r.customer_id}|${r.period_start.getTime()}`, r.total]));
  }

  /** Organisations with usage in the rollups since `since`: those the margin check looks at. */
  async organizationsWithUsageSince(since: Date): Promise<string[]> {
    const res = await this.pool.query<{ id: string }>(
      `SELECT id::text FROM organizations o WHERE EXISTS (SELECT 1 FROM analytics_periods a WHERE a.organization_id = o.id AND a.period_end > $1)`,
      [since],
    );
    return res.rows.map((r) => r.id);
  }

  /** Tasks of the range (their days in it), per task kind. */
  async taskKinds(organizationId: string, from: Date, to: Date): Promise<TaskKindRow[]> {
    const res = await this.read<TaskKindRow>(
      `WITH t AS (${TASKS})
       SELECT task_name, count(*)::text AS tasks, sum(calls)::text AS calls,
         percentile_disc(0.5) WITHIN GROUP (ORDER BY calls)::text AS calls_p50,
         percentile_disc(0.95) WITHIN GROUP (ORDER BY calls)::text AS calls_p95, max(calls)::text AS calls_max,
         sum(cost)::text AS cost, percentile_disc(0.5) WITHIN GROUP (ORDER BY cost)::text AS cost_p50,
         percentile_disc(0.95) WITHIN GROUP (ORDER BY cost)::text AS cost_p95, max(cost)::text AS cost_max,
         sum(retry_calls)::text AS retry_calls, sum(retry_cost)::text AS retry_cost
       FROM t GROUP BY task_name ORDER BY sum(cost) DESC, task_name`,
      [organizationId, day(from), day(to)],
    );
    return res.rows;
  }

  /** The tasks of the range with the most calls (agent loops), most first. */
  async longestTasks(organizationId: string, from: Date, to: Date, limit: number): Promise<LongTaskRow[]> {
    const res = await this.read<LongTaskRow>(
      `WITH t AS (${TASKS})
       SELECT t.task_id, t.task_name, c.external_id AS external_customer_id, t.calls::text, t.retry_calls::text, t.cost::text,
         t.first_day, t.last_day
       FROM t JOIN customers c ON c.id = t.customer_id
       ORDER BY t.calls DESC, t.cost DESC, t.task_id LIMIT $4`,
      [organizationId, day(from), day(to), limit],
    );
    return res.rows;
  }

  /** Cache figures of the range per customer and model, most saved first (at most `limit`), and per day. */
  async cacheSavings(
    organizationId: string,
    from: Date,
    to: Date,
    limit: number,
  ): Promise<{ groups: CacheRow[]; days: CacheRow[]; totals: CacheRow }> {
    const sums = `sum(input_tokens)::text AS input_tokens, sum(cache_read_tokens)::text AS cache_read_tokens,
      sum(cache_write_tokens)::text AS cache_write_tokens, sum(cache_write_1h_tokens)::text AS cache_write_1h_tokens,
      sum(cache_read_savings)::text AS cache_read_savings, sum(cache_write_extra)::text AS cache_write_extra`;
    const where = 'd.organization_id = $1 AND d.day >= $2::date AND d.day < $3::date';
    const values = [organizationId, day(from), day(to)];
    const [groups, days, totals] = await Promise.all([
      this.read<CacheRow>(
        `SELECT c.external_id AS external_customer_id, d.model, NULL AS day, ${sums}
         FROM analytics_daily d JOIN customers c ON c.id = d.customer_id WHERE ${where}
           AND (d.cache_read_tokens > 0 OR d.cache_write_tokens > 0 OR d.cache_write_1h_tokens > 0)
         GROUP BY c.external_id, d.model
         ORDER BY sum(cache_read_savings) - sum(cache_write_extra) DESC, c.external_id, d.model LIMIT $4`,
        [...values, limit],
      ),
      this.read<CacheRow>(
        `SELECT NULL AS external_customer_id, NULL AS model, to_char(d.day, 'YYYY-MM-DD') AS day, ${sums}
         FROM analytics_daily d WHERE ${where} GROUP BY d.day ORDER BY d.day`,
        values,
      ),
      this.read<CacheRow>(
        `SELECT NULL AS external_customer_id, NULL AS model, NULL AS day, ${sums} FROM analytics_daily d WHERE ${where}`,
        values,
      ),
    ]);
    return { groups: groups.rows, days: days.rows, totals: totals.rows[0] };
  }

  /**
   * Card versions written in the last `hours` whose prices differ from the version they follow: the same source's
   * previous version, or for an organisation's first override of a model, the list price it replaces. Removal
   * markers (no prices) are not price changes.
   */
  async recentPriceChanges(hours: number): Promise<PriceChangeRow[]> {
    const res = await this.pool.query<PriceChangeRow>(
      `SELECT v.id::text, v.scope, v.provider, v.model, v.prices, v.effective_from, p.id::text AS previous_id, p.prices AS previous_prices
       FROM rate_card_versions v
       JOIN LATERAL (
         SELECT p.* FROM rate_card_versions p
         WHERE p.provider = v.provider AND p.model = v.model AND p.effective_from < v.effective_from AND p.prices <> '{}'::jsonb
           AND ((p.scope = v.scope AND p.source = v.source) OR (v.scope <> 'list' AND p.scope = 'list'))
         ORDER BY (p.scope = v.scope) DESC, p.effective_from DESC LIMIT 1
       ) p ON true
       WHERE v.created_at > now() - make_interval(hours => $1) AND v.prices <> '{}'::jsonb AND p.content_hash <> v.content_hash
       ORDER BY v.created_at, v.id`,
      [hours],
    );
    return res.rows;
  }

  /**
   * Usage of a model (as sent, or as provider/model) in each customer's latest complete period, per charge: of one
   * organisation, or of every one (null).
   */
  async lastPeriodUsageOfModel(organizationId: string | null, provider: string, model: string, now: Date): Promise<ModelPeriodUsageRow[]> {
    const res = await this.read<WithTokens<ModelPeriodUsageRow>>(
      `WITH last AS (
         SELECT DISTINCT ON (customer_id) customer_id, period_start FROM analytics_periods
         WHERE ($1::uuid IS NULL OR organization_id = $1::uuid) AND period_end <= $4
         ORDER BY customer_id, period_start DESC
       )
       SELECT a.organization_id::text, a.customer_id::text, c.external_id, c.plan_code, c.discount::text, a.period_start,
         max(a.period_end) AS period_end, a.charge, sum(a.provider_cost)::text AS provider_cost,
         ARRAY[${USAGE_DIMENSIONS.map((d) => `sum(a.${d})`).join(', ')}]::text[] AS tokens
       FROM analytics_periods a JOIN last l ON l.customer_id = a.customer_id AND l.period_start = a.period_start
       JOIN customers c ON c.id = a.customer_id
       WHERE (a.model = $3 OR a.model = $2 || '/' || $3) AND ($1::uuid IS NULL OR a.organization_id = $1::uuid)
       GROUP BY a.organization_id, a.customer_id, c.external_id, c.plan_code, c.discount, a.period_start, a.charge
       ORDER BY a.organization_id, c.external_id, a.charge`,
      [organizationId, provider, model, now],
    );
    return res.rows.map(withTokens);
  }

  /** Records a price change's impact on one organisation, once: false when it was recorded already. */
  async insertPriceChange(tx: Tx, c: NewPriceChange): Promise<boolean> {
    const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
      `INSERT INTO price_changes (id, organization_id, provider, model, previous_version_id, rate_card_version_id, effective_from,
         prices_before, prices_after, cost_change, margin_change, customers)
       VALUES (gen_random_uuid(), $1::uuid, $2, $3, $4::uuid, $5::uuid, $6::timestamptz, $7::jsonb, $8::jsonb, $9::numeric, $10::numeric, $11::jsonb)
       ON CONFLICT (organization_id, rate_card_version_id) DO NOTHING RETURNING id::text`,
      c.organizationId,
      c.provider,
      c.model,
      c.previousVersionId,
      c.versionId,
      c.effectiveFrom,
      JSON.stringify(c.pricesBefore),
      JSON.stringify(c.pricesAfter),
      c.costChange,
      c.marginChange,
      JSON.stringify(c.customers),
    );
    return rows.length > 0;
  }

  /** An organisation's price changes, newest first, after the cursor `before` (a seq). */
  async listPriceChanges(organizationId: string, before: bigint | null, limit: number): Promise<PriceChangeListRow[]> {
    const res = await this.pool.query<PriceChangeListRow>(
      `SELECT id::text, seq::text, provider, model, previous_version_id::text, rate_card_version_id::text, effective_from, prices_before,
         prices_after, cost_change::text, margin_change::text, customers, created_at
       FROM price_changes WHERE organization_id = $1 AND ($2::int8 IS NULL OR seq < $2::int8) ORDER BY seq DESC LIMIT $3`,
      [organizationId, before === null ? null : before.toString(), limit],
    );
    return res.rows;
  }
}

/** Each task of the range: its days in [$2, $3) summed. */
const TASKS = `SELECT customer_id, task_id, max(task_name) AS task_name, sum(events) AS calls, sum(retry_events) AS retry_calls,
    sum(provider_cost) AS cost, sum(retry_provider_cost) AS retry_cost,
    to_char(min(day), 'YYYY-MM-DD') AS first_day, to_char(max(day), 'YYYY-MM-DD') AS last_day
  FROM analytics_tasks WHERE organization_id = $1 AND day >= $2::date AND day < $3::date
  GROUP BY customer_id, task_id`;
