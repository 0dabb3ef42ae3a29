import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  InvoicesRepository,
  type BillingCustomerRow,
  type ComputedInvoiceWrite,
  type InvoiceRow,
  type LineWrite,
  type NewDraft,
  type Tx,
} from '@tollgate/db';
import { formatAmount, halfAwayFromZero, type Decimal } from '@tollgate/money';
import {
  billingPeriod,
  USAGE_DIMENSIONS,
  type BillingPeriod,
  type CreditConsumption,
  type Invoice,
  type InvoiceLine,
} from '@tollgate/pricing';
import { CreditWallet } from '../credits/credit-wallet';
import { periodInterval, PlanBook, versionForPeriod, type PlanVersion } from '../pricing/plan-book';
import { invoicePayload } from '../stripe/invoice-event-payload';
import { StripePushes } from '../stripe/stripe-pushes';
import { PublishWebhookEvent, type PublishedEvent } from '../webhooks/publish-webhook-event';
import { InvoiceCalculator, type InvoiceComputation, type InvoiceSubject } from './invoice-calculator';
import { invoiceNumber } from './invoice-number';
import { PRECISE_PLACES } from './invoice-view';

const HOUR = 3_600_000;

const precise = (v: Decimal) => halfAwayFromZero(v, PRECISE_PLACES).toFixed();

export interface SettleResult {
  finalized: string[];
  /** Drafts with no line at all when they came to be finalized: a period with nothing to bill has no invoice. */
  dropped: string[];
  /** Drafts recomputed and kept (grace not over, or waiting for approval). */
  drafts: string[];
  failed: { id: string; error: string }[];
  /** invoice.finalized and invoice.margin_floor_applied of the invoices finalized: `afterCommit` dispatches them. */
  published: PublishedEvent[];
}

export interface CloseResult {
  /** Drafts inserted (a period that had an invoice already makes none). */
  created: string[];
  /** Each customer's next close after this one. */
  nextCloseAt: Map<string, Date>;
  /** The period each customer's close was for (whether it made a draft or the period had an invoice). */
  periods: Map<string, BillingPeriod>;
}

/** The lines and amounts to store for a computed invoice. */
export function computedWrite(row: InvoiceRow, invoice: Invoice, version: PlanVersion, discount: string): ComputedInvoiceWrite {
  return {
    id: row.id,
    customer_id: row.customer_id,
    currency: invoice.currency,
    plan_version_id: version.id,
    plan_version: version.version,
    discount,
    subtotal: invoice.subtotal.toFixed(),
    credits_applied: invoice.credits_applied.toFixed(),
    total: invoice.total.toFixed(),
    number: null,
    lines: invoice.lines.map((l): LineWrite => ({
      id: randomUUID(),
      type: l.type,
      description: l.description,
      charge: l.charge,
      provider_cost: l.provider_cost === null ? null : l.provider_cost.toFixed(),
      amount: l.amount.toFixed(),
      amount_precise: precise(l.amount_precise),
      floor_applied: l.floor_applied,
      period_start: l.usage === null ? null : (l.usage.period_start ?? row.period_start),
      events: l.usage === null ? null : l.usage.events.toString(),
      rated_amount: l.usage === null ? null : l.usage.rated_amount.toFixed(),
      tokens: l.usage === null ? null : USAGE_DIMENSIONS.map((d) => l.usage!.tokens[d].toString()),
      coupon_id: l.coupon_id,
    })),
  };
}

/**
 * Closing periods into drafts and computing, storing and finalizing invoices, in the caller's transaction, for
 * any number of invoices at once. The caller holds the organisations' billing lock (shared) and the customers'
 * row locks: every change to a customer's invoices holds its row lock, so they apply one after the other.
 */
@Injectable()
export class InvoiceSettler {
  private readonly logger = new Logger('billing');

  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly calculator: InvoiceCalculator,
    private readonly plans: PlanBook,
    private readonly stripe: StripePushes,
    private readonly wallet: CreditWallet,
    private readonly webhooks: PublishWebhookEvent,
  ) {}

  /** After the settling transaction's commit: the finalized invoices' Stripe pushes and webhook deliveries hurried. */
  async afterCommit(settled: { finalized: readonly string[]; published: readonly PublishedEvent[] }): Promise<void> {
    await this.stripe.enqueue(settled.finalized);
    await this.webhooks.dispatch(...settled.published);
  }

  /** Subjects of stored invoices: the customer's plan and discount now, and whether each is its oldest draft. */
  async subjects(db: Tx, rows: readonly InvoiceRow[]): Promise<InvoiceSubject[]> {
    const ids = [...new Set(rows.map((r) => r.customer_id))];
    const customers = new Map((await this.invoices.customers(db, ids)).map((c) => [c.id, c]));
    const oldest = await this.invoices.oldestDrafts(db, ids);
    return rows.map((r) => {
      const c = customers.get(r.customer_id)!;
      return {
        organizationId: r.organization_id,
        customerId: r.customer_id,
        customerPlanCode: c.plan_code,
        planCode: r.plan_code,
        periodStart: r.period_start,
        billingPeriodEnd: r.billing_period_end,
        usageThrough: r.usage_through,
        discount: c.discount,
        takesLateUsage: oldest.get(r.customer_id) === r.period_start.getTime(),
      };
    });
  }

  /** Drafts computed as they stand now (not stored): what reading a draft shows. */
  async computeDrafts(db: Tx, rows: readonly InvoiceRow[], now: Date): Promise<InvoiceComputation[]> {
    return this.calculator.compute(await this.subjects(db, rows), now, db);
  }

  /**
   * Closes the due period of each (locked) customer: a draft for it, and the next close scheduled. A close not
   * due yet (the schedule was stale: a new plan or anchor) is only rescheduled. `early` closes a customer's
   * current period at that instant instead (POST /v1/customers/{id}/invoices/close).
   */
  async close(tx: Tx, customers: readonly BillingCustomerRow[], now: Date, early?: Date): Promise<CloseResult> {
    const byOrg = new Map<string, Set<string>>();
    for (const c of customers) byOrg.set(c.organization_id, (byOrg.get(c.organization_id) ?? new Set()).add(c.plan_code));
    const versions = new Map<string, PlanVersion[]>();
    for (const [org, codes] of byOrg)
      for (const [code, list] of await this.plans.forCodes(org, [...codes], tx)) versions.set(`${org}|${code}`, list);

    const drafts: NewDraft[] = [];
    const nextCloseAt = new Map<string, Date>();
    const periods = new Map<string, BillingPeriod>();
    for (const c of customers) {
      const list = versions.get(`${c.organization_id}|${c.plan_code}`) ?? [];
      const interval = periodInterval(list);
      const cut = (at: number) => billingPeriod(at, c.billing_anchor, interval);
      // Not scheduled yet: from the period the customer was created in (a test clock may be earlier than that).
      const scheduled = c.next_close_at ?? cut(Math.min(c.created_at.getTime(), now.getTime())).end;
      let period: BillingPeriod;
      let end: Date;
      if (early !== undefined) {
        period = cut(early.getTime() - 1);
        end = early;
      } else {
        period = cut(scheduled.getTime() - 1);
        end = period.end;
        if (period.end.getTime() > now.getTime()) {
          nextCloseAt.set(c.id, period.end);
          continue;
        }
      }
      const version = versionForPeriod(list, period.end.getTime());
      if (version === null) {
        // A customer whose plan cannot bill the period: looked at again in a day, never in a loop.
        this.logger.error({ msg: 'no plan version to close a period with', customer: c.id, plan: c.plan_code });
        nextCloseAt.set(c.id, new Date(now.getTime() + 24 * HOUR));
        continue;
      }
      drafts.push(draft(c, version, period, end));
      periods.set(c.id, period);
      const next = cut(period.end.getTime()).end;
      nextCloseAt.set(c.id, early !== undefined && scheduled.getTime() > next.getTime() ? scheduled : next);
    }
    const created = await this.invoices.insertDrafts(tx, drafts);
    await this.invoices.scheduleCloses(tx, [...nextCloseAt.keys()], [...nextCloseAt.values()]);
    return { created, nextCloseAt, periods };
  }

  /**
   * Recomputes drafts (locked, with their customers) and stores them; finalizes those whose grace is over and
   * that need no approval, or all with `force`; drops those with nothing to bill once their grace is over.
   * Finalizing numbers the invoices (gap-free: in this transaction), uses up their `once` coupons and opens their
   * Stripe pushes (when the push is on; the caller enqueues them after its commit: `StripePushes.enqueue`). A draft
   * whose computation fails keeps its last lines and the error.
   */
  async settle(tx: Tx, drafts: readonly InvoiceRow[], now: Date, force = false): Promise<SettleResult> {
    const open = drafts.filter((d) => d.status === 'draft');
    const subjects = await this.subjects(tx, open);
    const results = await this.calculator.compute(subjects, now, tx);
    const finalize: { row: InvoiceRow; write: ComputedInvoiceWrite; once: string[]; invoice: Invoice }[] = [];
    const keep: ComputedInvoiceWrite[] = [];
    const drop: string[] = [];
    const failed: { id: string; error: string }[] = [];
    open.forEach((row, i) => {
      const r = results[i];
      if (!r.ok) {
        failed.push({ id: row.id, error: r.error });
        return;
      }
      const write = computedWrite(row, r.invoice, r.version, subjects[i].discount);
      const graceOver = row.finalize_after.getTime() <= now.getTime();
      // A draft with no line at all when its grace period ends is dropped, approval or not (late usage of its
      // period then goes on the next invoice); an operator's approval finalizes even an empty one.
      if (graceOver && !force && r.invoice.lines.length === 0) drop.push(row.id);
      else if (force || (graceOver && !row.requires_approval)) finalize.push({ row, write, once: r.onceCoupons, invoice: r.invoice });
      else keep.push(write);
    });

    // Before the numbers (whose row serialises an organisation's finalizations): step 8's credits taken from the
    // wallet, guarded (docs/design.md "Credits"); the settled customers' cached entitlements made stale (a draft's
    // subtotal, credits taken); which invoice events an endpoint takes.
    await this.wallet.consume(
      tx,
      finalize.map((f) => ({ invoiceId: f.row.id, uses: f.invoice.credit_consumption satisfies readonly CreditConsumption[] })),
      now,
    );
    await this.wallet.touch(
      tx,
      open.map((d) => d.customer_id),
    );
    const subscribed =
      finalize.length === 0
        ? new Set<string>()
        : await this.webhooks.subscribed(
            tx,
            finalize.map((f) => f.row.organization_id),
          );

    // Numbers in period order within each organisation, from one block taken for the organisation's year.
    finalize.sort(
      (a, b) =>
        a.row.period_start.getTime() - b.row.period_start.getTime() || (a.row.external_customer_id < b.row.external_customer_id ? -1 : 1),
    );
    const year = now.getUTCFullYear();
    const prefixes = await this.invoices.prefixes(tx, [...new Set(finalize.map((f) => f.row.organization_id))]);
    for (const org of prefixes.keys()) {
      const mine = finalize.filter((f) => f.row.organization_id === org);
      const first = await this.invoices.takeNumbers(tx, org, year, mine.length);
      mine.forEach((f, k) => (f.write.number = invoiceNumber(prefixes.get(org)!, year, first + k)));
    }
    const finalized = await this.invoices.writeComputed(
      tx,
      finalize.map((f) => f.write),
      true,
      now,
    );
    // The caller holds the drafts' locks: a draft that did not finalize here would leave a gap in the numbers.
    if (finalized.length !== finalize.length)
      throw new Error(`finalized ${finalized.length} of ${finalize.length} drafts: their status changed under the lock`);
    const used = finalize.flatMap((f) => f.once.map((coupon) => ({ coupon, invoice: f.row.id })));
    await this.invoices.useCoupons(
      tx,
      used.map((u) => u.coupon),
      used.map((u) => u.invoice),
      now,
    );
    await this.stripe.open(tx, finalized);
    const published: PublishedEvent[] = [];
    for (const f of finalize) published.push(...(await this.publishFinalized(tx, f.row, f.write, f.invoice, now, subscribed)));
    const kept = await this.invoices.writeComputed(tx, keep, false, now);
    await this.invoices.markComputeErrors(
      tx,
      failed.map((f) => f.id),
      failed.map((f) => f.error),
    );
    const dropped = await this.invoices.dropDrafts(tx, drop);
    for (const f of failed) this.logger.error({ msg: 'an invoice could not be computed; it stays a draft', invoice: f.id, err: f.error });
    return { finalized, dropped, drafts: kept, failed, published };
  }

  /** invoice.finalized, and invoice.margin_floor_applied when a line's margin floor bound (docs/api.md "Webhooks"). */
  private async publishFinalized(
    tx: Tx,
    row: InvoiceRow,
    write: ComputedInvoiceWrite,
    invoice: Invoice,
    at: Date,
    subscribed: ReadonlySet<string>,
  ): Promise<PublishedEvent[]> {
    const takes = (type: string) => subscribed.has(`${row.organization_id}|${type}`);
    const finalized: InvoiceRow = { ...row, status: 'finalized', number: write.number, total: write.total, finalized_at: at };
    const base = invoicePayload(finalized, {
      status: 'finalized',
      finalized_at: at.toISOString(),
      subtotal: formatAmount(invoice.subtotal, invoice.currency),
      credits_applied: formatAmount(invoice.credits_applied, invoice.currency),
    });
    const out: PublishedEvent[] = [];
    if (takes('invoice.finalized'))
      out.push(
        await this.webhooks.publish(tx, {
          organizationId: row.organization_id,
          type: 'invoice.finalized',
          subjectKey: `invoice:${row.id}`,
          payload: base,
        }),
      );
    const floored = invoice.lines.filter((l: InvoiceLine) => l.floor_applied);
    if (floored.length > 0 && takes('invoice.margin_floor_applied'))
      out.push(
        await this.webhooks.publish(tx, {
          organizationId: row.organization_id,
          type: 'invoice.margin_floor_applied',
          subjectKey: `invoice:${row.id}`,
          payload: {
            ...base,
            lines: floored.map((l) => ({
              type: l.type,
              description: l.description,
              charge: l.charge,
              provider_cost: l.provider_cost === null ? null : l.provider_cost.toFixed(),
              amount: formatAmount(l.amount, invoice.currency),
            })),
          },
        }),
      );
    return out;
  }
}

function draft(c: BillingCustomerRow, version: PlanVersion, period: BillingPeriod, end: Date): NewDraft {
  return {
    id: randomUUID(),
    organization_id: c.organization_id,
    customer_id: c.id,
    period_start: period.start,
    period_end: end,
    billing_period_end: period.end,
    usage_through: end.getTime() < period.end.getTime() ? end : null,
    currency: version.plan.currency,
    plan_code: c.plan_code,
    plan_version_id: version.id,
    plan_version: version.version,
    discount: c.discount,
    finalize_after: new Date(end.getTime() + version.plan.grace_period_hours * HOUR),
    requires_approval: version.plan.requires_approval,
  };
}
