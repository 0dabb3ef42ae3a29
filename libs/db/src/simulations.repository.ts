import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import { BILLED_STATUSES } from './invoices.repository';
import { DB_POOL } from './tokens';

// Stress tests (docs/design.md "Simulations"). Raw SQL, not Prisma: the range's events are read through a cursor in
// pages of tens of thousands of rows, in array row mode with text columns (Prisma would build an object, Dates and Decimals per
// row), and the status moves are guarded UPDATEs with a lease, compared in the statement.

export type SimulationStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface SimulationRow {
  id: string;
  organization_id: string;
  status: SimulationStatus;
  scenario: unknown;
  range_from: Date;
  range_to: Date;
  /** int8 as text. */
  events_total: string;
  events_done: string;
  result: unknown;
  error: string | null;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** A billed period of the range: its invoice as finalized, with what its aggregates counted. */
export interface BilledPeriodRow {
  invoice_id: string;
  customer_id: string;
  external_customer_id: string;
  period_start: Date;
  /** period_start as Postgres writes it: what the period's events carry. */
  period_key: string;
  billing_period_end: Date;
  currency: string;
  plan_version_id: string | null;
  discount: string;
  total: string;
  finalized_at: Date;
  /** Priced events of the period (int8 as text), and their provider cost: Σ of its aggregates. */
  events: string;
  provider_cost: string;
  /** The coupons its coupon lines deducted, in line order. */
  coupons: { id: string; kind: 'fixed' | 'percentage'; amount: string | null; percent: string | null }[];
}

/** A priced event as the simulation reads it: what pricing read, and the rate card version that priced it. */
export interface SimulatedEventRow {
  customer_id: string;
  /** As Postgres writes a timestamptz (the period's key with BilledPeriodRow.period_key). */
  period_start: string;
  /** As Postgres writes a timestamptz: read (pgTimestampMs) only when the event needs a rate card looked up. */
  occurred_at: string;
  provider: string;
  model: string;
  rate_card_id: string | null;
  reported_cost: string | null;
  /** Each usage dimension (USAGE_DIMENSIONS' order) as Postgres writes the int8: parsed by the engine as it sums. */
  tokens: string[];
  /**
   * Present when the read picked the routing shifts (ShiftPicks): the index of the shift moving the event, or null
   * (none moves it). Absent when the engine picks them itself, counting the events as they come.
   */
  shift?: number | null;
}

/**
 * Events one routing shift moved (picked in Postgres, see ShiftPicks) of one customer's period with the same
 * non-zero usage dimensions whose times fall between the same two rate card changes: priced once with the shift's
 * target card in force at `at`, which is in force at each of their times.
 */
export interface MovedEventsRow {
  customer_id: string;
  period_start: string;
  /** The shift's index in the scenario. */
  shift: number;
  /** The earliest of their times, to the millisecond, as Postgres writes a timestamptz. */
  at: string;
  /** int8 as text. */
  events: string;
  mask: number;
  tokens: string[];
}

/**
 * Routing shifts picked in Postgres (rangeRead): the n-th event (n from 0, in insertion order) of a customer's
 * billed periods that a shift matches is moved when ⌊(n+1)·share⌋ > ⌊n·share⌋ (share in millionths), the first
 * matching shift counting it, as RoutingPicker counts them. Names match as JavaScript lower-cases them: only for
 * shifts whose names are printable ASCII (the caller's check), where that is Postgres' ASCII lower() after the
 * one non-ASCII character JavaScript lowers to ASCII (U+212A, the Kelvin sign).
 */
export interface ShiftPicks {
  shifts: readonly { fromProvider: string | null; fromModel: string; sharePpm: number }[];
  /** The billed periods (customer id, period start as Postgres writes it): only their events are counted. */
  periods: readonly { customer_id: string; period_key: string }[];
  /**
   * Given the rate card changes (every card version's effective time, epoch ms, ±1 ms, sorted), whether each
   * shift's moved events may be summed: its target card has no tiers at any of them (nor before the first).
   */
  movedSummable(changes: readonly number[]): boolean[];
}

/**
 * A summed row of priced events of one period, provider, model and rate card version with the same non-zero usage
 * dimensions: what the simulation may price once without looking at each event (see rangeRead).
 */
export interface SummedEventsRow {
  customer_id: string;
  period_start: string;
  provider: string;
  model: string;
  rate_card_id: string;
  /** int8 as text. */
  events: string;
  /** Bit d: USAGE_DIMENSIONS[d] is non-zero in every event of the row (and zero in every one where unset). */
  mask: number;
  /** Each dimension's sum as text. */
  tokens: string[];
}

/**
 * The events a simulation may sum in Postgres (alias e; $5: the card versions with tiers; $6, with shifts only: the
 * models a routing shift moves, lower-cased): priced by a card version without tiers (the tier depends on each event's prompt),
 * without a reported cost (it may price the event), and of a model no shift names (a shift counts events one by
 * one). With shifts, a model name with anything but printable ASCII is never summed (lower() and JS may differ).
 */
const summable = (shifts: boolean) => `(e.reported_cost IS NULL AND e.rate_card_id IS NOT NULL AND NOT (e.rate_card_id = ANY($5::uuid[]))
  ${shifts ? `AND e.model ~ '^[ -~]*$' AND NOT (lower(e.model) = ANY($6::text[]))` : ''})`;
/** Card-summable alone (a card version without tiers, no reported cost): the shifts are picked apart. */
const CARD_SUMMABLE = `(e.reported_cost IS NULL AND e.rate_card_id IS NOT NULL AND NOT (e.rate_card_id = ANY($5::uuid[])))`;
/**
 * A name lower-cased so that it equals a printable-ASCII shift name exactly when JavaScript's toLowerCase() of it
 * does: the Kelvin sign (U+212A, the one non-ASCII character JavaScript lowers to ASCII) made a k, then ASCII
 * lower-casing ("C" collation), which leaves every other non-ASCII character as it is (and so unequal).
 */
export const asciiLower = (column: string) => `lower(translate(${column}, U&'\\212A', 'k') COLLATE "C")`;
const RANGE = `e.organization_id = $1 AND e.pricing_status = 'priced' AND e.period_start >= $2 AND e.period_start < $3
  AND ($4::uuid[] IS NULL OR e.customer_id = ANY($4::uuid[]))`;

const COLUMNS = `id, organization_id, status, scenario, range_from, range_to, events_total::text, events_done::text, result, error,
  attempts, created_at, started_at, finished_at`;
const BILLED = `(${BILLED_STATUSES.map((s) => `'${s}'`).join(', ')})`;

type EventColumns = (string | number | null)[];

/** Epoch milliseconds of a timestamptz as Postgres writes it (ISO DateStyle: "2026-11-10 00:00:00.123+00"). */
export function pgTimestampMs(text: string): number {
  const iso = text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not a timestamp Postgres wrote: ${text}`);
  return ms;
}

/**
 * A simulation read's settings: sums and sorts in memory, no JIT for a statement planned as expensive but short,
 * and a cursor planned for all its rows (the fastest start would walk every event by index in insertion order, most
 * of them summed by the other read).
 */
async function readSettings(client: PoolClient): Promise<void> {
  await client.query(`SET LOCAL work_mem = '64MB'`);
  await client.query('SET LOCAL jit = off');
  await client.query('SET LOCAL cursor_tuple_fraction = 1');
}

/** The card versions with tiers (their events are priced one by one). */
async function tieredCards(client: PoolClient): Promise<string[]> {
  const res = await client.query<{ ids: string[] }>(
    `SELECT coalesce(array_agg(id::text), '{}') AS ids FROM rate_card_versions WHERE tiers <> '[]'::jsonb`,
  );
  return res.rows[0].ids;
}

/** Rows of the event columns (EVENT_COLUMNS, then the picked shift's index when `picked`). */
function eventRows(rows: EventColumns[], picked: boolean): SimulatedEventRow[] {
  const n = rows.length;
  const out: SimulatedEventRow[] = new Array(n);
  const dims = USAGE_DIMENSIONS.length;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    out[i] = {
      customer_id: r[0] as string,
      period_start: r[1] as string,
      occurred_at: r[2] as string,
      provider: r[3] as string,
      model: r[4] as string,
      rate_card_id: r[5] as string | null,
      reported_cost: r[6] as string | null,
      tokens: r.slice(7, 7 + dims) as string[],
    };
    if (picked) out[i].shift = r[7 + dims] === null ? null : Number(r[7 + dims]);
  }
  return out;
}

const summedRow = (r: EventColumns): SummedEventsRow => ({
  customer_id: r[0] as string,
  period_start: r[1] as string,
  provider: r[2] as string,
  model: r[3] as string,
  rate_card_id: r[4] as string,
  events: r[5] as string,
  mask: Number(r[6]),
  tokens: r.slice(7) as string[],
});

const EVENT_COLUMNS = `e.customer_id::text, e.period_start::text, e.occurred_at::text, e.provider, e.model, e.rate_card_id::text, e.reported_cost::text,
  ${USAGE_DIMENSIONS.map((d) => `e.${d}::text`).join(', ')}`;
const MASK = USAGE_DIMENSIONS.map((d, i) => `((e.${d} <> 0)::int << ${i})`).join(' | ');
const SUM_COLUMNS = `count(*)::text, ${MASK} AS mask, ${USAGE_DIMENSIONS.map((d) => `sum(e.${d})::text`).join(', ')}`;

/** The cursor simulation_rows' pages, the next fetched while the caller works on this one. */
async function* pages(client: PoolClient, pageSize: number, picked: boolean): AsyncGenerator<{ events: SimulatedEventRow[] }> {
  const fetch = () => client.query<EventColumns>({ text: `FETCH FORWARD ${Math.floor(pageSize)} FROM simulation_rows`, rowMode: 'array' });
  let next = fetch();
  for (;;) {
    const { rows } = await next;
    if (rows.length === 0) break;
    next = fetch();
    next.catch(() => undefined);
    yield { events: eventRows(rows, picked) };
  }
}

@Injectable()
export class SimulationsRepository {
  constructor(@Inject(DB_POOL) private readonly pool: Pool) {}

  /**
   * The organisation's billed usage periods starting in [from, to) (optionally of some customers), oldest first
   * per customer: invoices finalized, paid or payment_failed (a void one billed nothing).
   */
  async billedPeriods(organizationId: string, from: Date, to: Date, externalIds: readonly string[] | null): Promise<BilledPeriodRow[]> {
    const res = await this.pool.query<BilledPeriodRow>(
      `SELECT i.id::text AS invoice_id, i.customer_id::text, c.external_id AS external_customer_id, i.period_start,
         i.period_start::text AS period_key,
         i.billing_period_end, i.currency, i.plan_version_id::text, i.discount::text, i.total::text, i.finalized_at,
         coalesce(a.events, 0)::text AS events, coalesce(a.provider_cost, 0)::text AS provider_cost,
         coalesce((SELECT json_agg(json_build_object('id', k.id, 'kind', k.kind, 'amount', k.amount::text, 'percent', k.percent::text)
                                   ORDER BY l.position)
                   FROM invoice_lines l JOIN coupons k ON k.id = l.coupon_id
                   WHERE l.invoice_id = i.id AND l.type = 'coupon'), '[]') AS coupons
       FROM invoices i JOIN customers c ON c.id = i.customer_id
       LEFT JOIN LATERAL (SELECT sum(events) AS events, sum(provider_cost) AS provider_cost FROM usage_aggregates u
                          WHERE u.customer_id = i.customer_id AND u.period_start = i.period_start) a ON true
       WHERE i.organization_id = $1 AND i.type = 'usage' AND i.status IN ${BILLED}
         AND i.period_start >= $2 AND i.period_start < $3 AND ($4::text[] IS NULL OR c.external_id = ANY($4::text[]))
       ORDER BY i.customer_id, i.period_start`,
      [organizationId, from, to, externalIds],
    );
    return res.rows;
  }

  /**
   * The organisation's priced events of periods starting in [from, to) (optionally of some customers), in two
   * reads of one snapshot (a REPEATABLE READ transaction on one connection), so that each event is in exactly one
   * of them whatever commits meanwhile (a card given tiers, events priced):
   * - first `sums`: the events Postgres can sum (summable: a card version without tiers, no reported cost, a model
   *   no routing shift moves; `shiftedModels` are the lower-cased models shifts move), per customer, period,
   *   provider, model, card version and non-zero dimensions; each row priced once stands for its events priced one
   *   by one (the cost and the rated amount are linear in the usage at one card and tier). One statement, not a
   *   cursor: Postgres scans and sums in parallel only outside a cursor, and the rows are a few per customer and
   *   period;
   * - then `events`, pages of the rest in insertion order: one pass over the events in the order they are stored,
   *   through a cursor (a read per customer would visit each heap page many times; LIMIT pages would scan again
   *   each time). The next page is fetched while the caller works on this one. Times and counts as text columns
   *   (Postgres formats them cheaply), so that no row builds a Date, does numeric arithmetic in Postgres or parses
   *   an array.
   * Stopping early (break, throw) closes the transaction.
   */
  async *rangeRead(
    organizationId: string,
    from: Date,
    to: Date,
    customerIds: readonly string[] | null,
    shiftedModels: readonly string[],
    pageSize: number,
    picks: ShiftPicks | null = null,
  ): AsyncGenerator<
    { sums: SummedEventsRow[]; moved: MovedEventsRow[]; events?: never } | { events: SimulatedEventRow[]; sums?: never; moved?: never }
  > {
    const client = await this.pool.connect();
    let open = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      open = true;
      await readSettings(client);
      const tiered = await tieredCards(client);
      if (picks !== null && picks.shifts.length > 0) {
        yield* this.pickedRead(client, [organizationId, from, to, customerIds, tiered], picks, pageSize);
        await client.query('COMMIT');
        open = false;
        return;
      }
      const values = [organizationId, from, to, customerIds, tiered, ...(shiftedModels.length > 0 ? [shiftedModels] : [])];
      const mask = USAGE_DIMENSIONS.map((d, i) => `((e.${d} <> 0)::int << ${i})`).join(' | ');
      const summed = await client.query<EventColumns>({
        text: `SELECT e.customer_id::text, e.period_start::text, e.provider, e.model, e.rate_card_id::text, count(*)::text, ${mask} AS mask,
                 ${USAGE_DIMENSIONS.map((d) => `sum(e.${d})::text`).join(', ')}
               FROM events e
               WHERE ${RANGE} AND ${summable(shiftedModels.length > 0)}
               GROUP BY e.customer_id, e.period_start, e.provider, e.model, e.rate_card_id, ${mask}`,
        values,
        rowMode: 'array',
      });
      yield { sums: summed.rows.map(summedRow), moved: [] };
      await client.query({
        text: `DECLARE simulation_rows NO SCROLL CURSOR FOR
               SELECT e.customer_id::text, e.period_start::text, e.occurred_at::text, e.provider, e.model, e.rate_card_id::text, e.reported_cost::text,
                 ${USAGE_DIMENSIONS.map((d) => `e.${d}::text`).join(', ')}
               FROM events e
               WHERE ${RANGE} AND NOT coalesce(${summable(shiftedModels.length > 0)}, false)
               ORDER BY e.id`,
        values,
      });
      yield* pages(client, pageSize, false);
      await client.query('COMMIT');
      open = false;
    } finally {
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }

  /**
   * rangeRead with the routing shifts picked in Postgres (ShiftPicks): the events a shift matches are numbered per
   * customer and shift in insertion order (a window over them alone), so that they are summed too: those no shift
   * moves like any other (per card version), those moved per shift and stretch between rate card changes (the
   * target card is looked up once per row), unless the target card may have tiers. The rest come one by one
   * through the cursor, carrying the shift that moves them.
   */
  private async *pickedRead(
    client: PoolClient,
    range: unknown[],
    picks: ShiftPicks,
    pageSize: number,
  ): AsyncGenerator<{ sums: SummedEventsRow[]; moved: MovedEventsRow[] } | { events: SimulatedEventRow[] }> {
    const changes = (
      await client.query<{ t: string | null }>(
        `SELECT (array_agg(DISTINCT (extract(epoch FROM date_trunc('milliseconds', effective_from)) * 1000)::int8))::text AS t
         FROM rate_card_versions`,
      )
    ).rows[0].t;
    const ms = [...new Set((changes === null ? [] : changes.slice(1, -1).split(',').map(Number)).flatMap((t) => [t - 1, t, t + 1]))].sort(
      (a, b) => a - b,
    );
    const movedSummable = picks.movedSummable(ms);
    const { shifts } = picks;
    const values = [
      ...range,
      shifts.map((s) => s.fromModel),
      shifts.map((s) => s.fromProvider),
      shifts.map((s) => s.sharePpm),
      picks.periods.map((p) => p.customer_id),
      picks.periods.map((p) => p.period_key),
      movedSummable,
      ms.map((t) => new Date(t).toISOString()),
    ];
    const model = asciiLower('e.model');
    const provider = asciiLower('e.provider');
    const shiftOf = `CASE ${shifts
      .map(
        (_, i) =>
          `WHEN ${model} = ($6::text[])[${i + 1}] AND (($7::text[])[${i + 1}] IS NULL OR ${provider} = ($7::text[])[${i + 1}]) THEN ${i}`,
      )
      .join(' ')} END`;
    // The events shifts match, of billed periods, each with its shift (s) and whether it moved; n from 0 per customer and shift.
    const picked = `SELECT e.*, (((e.n + 1) * ($8::int8[])[e.s + 1]) / 1000000 > (e.n * ($8::int8[])[e.s + 1]) / 1000000) AS moved
      FROM (SELECT e.*, row_number() OVER (PARTITION BY e.customer_id, e.s ORDER BY e.id) - 1 AS n
            FROM (SELECT e.id, e.customer_id, e.period_start, e.occurred_at, e.provider, e.model, e.rate_card_id, e.reported_cost,
                    ${USAGE_DIMENSIONS.map((d) => `e.${d}`).join(', ')}, ${shiftOf} AS s
                  FROM events e WHERE ${RANGE}) e
            JOIN unnest($9::uuid[], $10::timestamptz[]) b(customer_id, period_start) ON b.customer_id = e.customer_id AND b.period_start = e.period_start
            WHERE e.s IS NOT NULL) e`;
    // What is left for the cursor among them: moved where the target may have tiers, unmoved not card-summable.
    const pickedRest = `(CASE WHEN e.moved THEN NOT ($11::bool[])[e.s + 1] ELSE NOT coalesce(${CARD_SUMMABLE}, false) END)`;
    // Events no shift matches that are not card-summable are counted (kind 3) in the scan that sums the others: the
    // cursor is declared only when something is left for it.
    const notSummable = `NOT coalesce(${CARD_SUMMABLE}, false)`;
    // Two statements: the events no shift matches summed with hashing (on the planner's estimate of a few rows it
    // would sort hundreds of thousands), then the matched ones numbered by a window (a sort) and summed.
    await client.query('SET LOCAL enable_sort = off');
    const plain = await client.query<EventColumns>({
      text: `SELECT CASE WHEN ${notSummable} THEN 3 ELSE 0 END AS kind, e.customer_id::text, e.period_start::text, e.provider, e.model,
               e.rate_card_id::text, ${SUM_COLUMNS}
             FROM events e WHERE ${RANGE} AND (${shiftOf}) IS NULL
             GROUP BY ${notSummable}, e.customer_id, e.period_start, e.provider, e.model, e.rate_card_id, ${MASK}`,
      values: values.slice(0, 7),
      rowMode: 'array',
    });
    await client.query('SET LOCAL enable_sort = on');
    // One aggregation over the numbered events (no materialized copy): kind 0 the unmoved card-summable ones per
    // card version, 1 the moved ones per shift and stretch between card changes (also split by the names and card
    // they came with, which sums the same), 2 those left for the cursor (counted).
    const kind = `CASE WHEN e.moved AND ($11::bool[])[e.s + 1] THEN 1 WHEN ${pickedRest} THEN 2 ELSE 0 END`;
    const shifted = await client.query<EventColumns>({
      text: `SELECT e.kind, e.customer_id::text, e.period_start::text, e.provider, e.model, e.rate_card_id::text, ${SUM_COLUMNS},
               e.s::text, min(date_trunc('milliseconds', e.occurred_at))::text
             FROM (SELECT e.*, ${kind} AS kind FROM (${picked}) e) e
             GROUP BY e.kind, e.customer_id, e.period_start, e.provider, e.model, e.rate_card_id, e.s,
               CASE WHEN e.kind = 1 THEN width_bucket(date_trunc('milliseconds', e.occurred_at), $12::timestamptz[]) END, ${MASK}`,
      values,
      rowMode: 'array',
    });
    const dims = USAGE_DIMENSIONS.length;
    const sums: SummedEventsRow[] = [];
    const moved: MovedEventsRow[] = [];
    let rest = 0;
    let restPicked = 0;
    for (const r of plain.rows) {
      if (r[0] === 0) sums.push(summedRow(r.slice(1)));
      else rest += Number(r[6]);
    }
    for (const r of shifted.rows) {
      if (r[0] === 0) sums.push(summedRow(r.slice(1, 8 + dims)));
      else if (r[0] === 1)
        moved.push({
          customer_id: r[1] as string,
          period_start: r[2] as string,
          shift: Number(r[8 + dims]),
          at: r[9 + dims] as string,
          events: r[6] as string,
          mask: Number(r[7]),
          tokens: r.slice(8, 8 + dims) as string[],
        });
      else restPicked += Number(r[6]);
    }
    yield { sums, moved };
    if (rest === 0 && restPicked === 0) return;
    // The rest in insertion order: events no shift matches that are not card-summable, and (only when there are
    // any) the picked ones left over, numbered again in the same snapshot.
    await client.query({
      text: `DECLARE simulation_rows NO SCROLL CURSOR FOR
             SELECT ${EVENT_COLUMNS}, NULL::int AS shift, e.id FROM events e
             WHERE ${RANGE} AND ${notSummable} AND (${shiftOf}) IS NULL
             ${restPicked > 0 ? `UNION ALL SELECT ${EVENT_COLUMNS}, CASE WHEN e.moved THEN e.s END, e.id FROM (${picked}) e WHERE ${pickedRest}` : ''}
             ORDER BY id`,
      values: values.slice(0, restPicked > 0 ? 11 : 7),
    });
    yield* pages(client, pageSize, true);
  }

  /** A new simulation: queued, or already running under `leaseToken` when the caller runs it at once. */
  async create(row: {
    id: string;
    organizationId: string;
    scenario: unknown;
    from: Date;
    to: Date;
    eventsTotal: bigint;
    leaseToken: string | null;
    leaseMs: number;
  }): Promise<SimulationRow> {
    const res = await this.pool.query<SimulationRow>(
      `INSERT INTO simulations (id, organization_id, status, scenario, range_from, range_to, events_total, attempts, lease_token,
         lease_until, started_at)
       VALUES ($1, $2, CASE WHEN $7::uuid IS NULL THEN 'queued' ELSE 'running' END, $3, $4, $5, $6, CASE WHEN $7::uuid IS NULL THEN 0 ELSE 1 END,
         $7, CASE WHEN $7::uuid IS NULL THEN NULL ELSE clock_timestamp() + $8 * interval '1 millisecond' END,
         CASE WHEN $7::uuid IS NULL THEN NULL ELSE clock_timestamp() END)
       RETURNING ${COLUMNS}`,
      [row.id, row.organizationId, JSON.stringify(row.scenario), row.from, row.to, row.eventsTotal.toString(), row.leaseToken, row.leaseMs],
    );
    return res.rows[0];
  }

  /**
   * Takes a simulation to run: a queued one, or a running one whose lease lapsed (its worker died). Null when
   * another run holds it or it is finished: the caller does nothing.
   */
  async claim(id: string, leaseToken: string, leaseMs: number): Promise<SimulationRow | null> {
    const res = await this.pool.query<SimulationRow>(
      `UPDATE simulations SET status = 'running', lease_token = $2, lease_until = clock_timestamp() + $3 * interval '1 millisecond',
         attempts = attempts + 1, events_done = 0, started_at = coalesce(started_at, clock_timestamp()), updated_at = clock_timestamp()
       WHERE id = $1 AND (status = 'queued' OR (status = 'running' AND lease_until < clock_timestamp()))
       RETURNING ${COLUMNS}`,
      [id, leaseToken, leaseMs],
    );
    return res.rows[0] ?? null;
  }

  /** Progress under the lease, which it extends; false when the lease was lost (the run must stop). */
  async progress(id: string, leaseToken: string, eventsDone: bigint, leaseMs: number): Promise<boolean> {
    const res = await this.pool.query(
      `UPDATE simulations SET events_done = $3, lease_until = clock_timestamp() + $4 * interval '1 millisecond', updated_at = clock_timestamp()
       WHERE id = $1 AND lease_token = $2 AND status = 'running'`,
      [id, leaseToken, eventsDone.toString(), leaseMs],
    );
    return res.rowCount === 1;
  }

  /** The run's end, written only by the lease holder and only once. */
  async finish(
    id: string,
    leaseToken: string,
    end: { status: 'succeeded'; result: unknown; eventsDone: bigint } | { status: 'failed'; error: string },
  ): Promise<SimulationRow | null> {
    const res = await this.pool.query<SimulationRow>(
      `UPDATE simulations SET status = $3, result = $4, error = $5, events_done = coalesce($6, events_done), lease_token = NULL,
         lease_until = NULL, finished_at = clock_timestamp(), updated_at = clock_timestamp()
       WHERE id = $1 AND lease_token = $2 AND status = 'running'
       RETURNING ${COLUMNS}`,
      [
        id,
        leaseToken,
        end.status,
        end.status === 'succeeded' ? JSON.stringify(end.result) : null,
        end.status === 'failed' ? end.error : null,
        end.status === 'succeeded' ? end.eventsDone.toString() : null,
      ],
    );
    return res.rows[0] ?? null;
  }

  /** Gives up on a simulation whose runs kept dying (`attempts` runs begun): failed with the reason. */
  async abandon(id: string, maxAttempts: number, error: string): Promise<boolean> {
    const res = await this.pool.query(
      `UPDATE simulations SET status = 'failed', error = $3, lease_token = NULL, lease_until = NULL, finished_at = clock_timestamp(),
         updated_at = clock_timestamp()
       WHERE id = $1 AND attempts >= $2 AND (status = 'queued' OR (status = 'running' AND lease_until < clock_timestamp()))`,
      [id, maxAttempts, error],
    );
    return res.rowCount === 1;
  }

  /** Simulations a run should pick up: queued for a while (their job may be lost), or running with a lapsed lease. */
  async unfinished(queuedForMs: number, limit: number): Promise<{ id: string; attempts: number }[]> {
    const res = await this.pool.query<{ id: string; attempts: number }>(
      `SELECT id::text, attempts FROM simulations
       WHERE (status = 'queued' AND updated_at < clock_timestamp() - $1 * interval '1 millisecond')
          OR (status = 'running' AND lease_until < clock_timestamp())
       ORDER BY updated_at LIMIT $2`,
      [queuedForMs, limit],
    );
    return res.rows;
  }

  async find(organizationId: string, id: string): Promise<SimulationRow | null> {
    const res = await this.pool.query<SimulationRow>(`SELECT ${COLUMNS} FROM simulations WHERE organization_id = $1 AND id = $2`, [
      organizationId,
      id,
    ]);
    return res.rows[0] ?? null;
  }

  /** A page of the organisation's simulations, newest first, after the cursor (created_at, id); results left out. */
  async list(organizationId: string, after: { createdAt: Date; id: string } | null, limit: number): Promise<SimulationRow[]> {
    const res = await this.pool.query<SimulationRow>(
      `SELECT ${COLUMNS.replace('result,', 'NULL::jsonb AS result,')} FROM simulations
       WHERE organization_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $4`,
      [organizationId, after?.createdAt ?? null, after?.id ?? null, limit],
    );
    return res.rows;
  }
}
