import { Injectable } from '@nestjs/common';
import { CreditsRepository, InvoicesRepository, type CouponRow, type Tx } from '@tollgate/db';
import { Decimal } from '@tollgate/money';
import {
  computeInvoice,
  emptyUsage,
  USAGE_DIMENSIONS,
  type ChargeAggregate,
  type Coupon,
  type CreditGrant,
  type Invoice,
  type LateUsage,
} from '@tollgate/pricing';
import { PlanBook, versionForPeriod, type PlanVersion } from '../pricing/plan-book';

/** What one invoice bills: a customer's period, on a plan, and whether older periods' late usage goes on it. */
export interface InvoiceSubject {
  organizationId: string;
  customerId: string;
  /** The customer's plan now: usage of a period closed without an invoice was priced on it. */
  customerPlanCode: string;
  /** The plan the period is billed on (its version in force at the period's end). */
  planCode: string;
  periodStart: Date;
  /** The billing period's own end: its plan version is the one in force then. */
  billingPeriodEnd: Date;
  /** Closed early: the period's priced events before this instant, instead of its aggregates. */
  usageThrough: Date | null;
  /** The customer's discount, exact decimal text. */
  discount: string;
  /** Late usage goes on a customer's oldest draft only (or the preview, when it has none). */
  takesLateUsage: boolean;
}

export type InvoiceComputation =
  { ok: true; invoice: Invoice; version: PlanVersion; discount: Decimal; onceCoupons: string[] } | { ok: false; error: string };

interface UsageRow {
  periodStart: Date;
  periodEnd: Date;
  own: boolean;
  aggregate: ChargeAggregate;
  version: PlanVersion | null;
  /** The plan version the row should have been priced on, when it has the charge. */
  preferred: PlanVersion | null;
}

function aggregateOf(row: {
  charge: string;
  events: string;
  provider_cost: string;
  rated_amount: string;
  tokens: string[];
}): ChargeAggregate {
  const tokens = emptyUsage();
  for (let d = 0; d < USAGE_DIMENSIONS.length; d++) tokens[USAGE_DIMENSIONS[d]] = BigInt(row.tokens[d]);
  return {
    charge: row.charge,
    events: BigInt(row.events),
    provider_cost: new Decimal(row.provider_cost),
    rated_amount: new Decimal(row.rated_amount),
    tokens,
  };
}

function couponOf(c: CouponRow): Coupon {
  return c.kind === 'fixed'
    ? { id: c.id, kind: 'fixed', amount: new Decimal(c.amount!) }
    : { id: c.id, kind: 'percentage', percent: new Decimal(c.percent!) };
}

const hasCharge = (v: PlanVersion | null | undefined, charge: string): v is PlanVersion =>
  !!v && v.plan.charges.some((c) => c.name === charge);

/**
 * The one computation of an invoice (docs/design.md "Invoices"): a period's usage not billed yet, the late usage
 * of earlier periods, the customer's discount and coupons, through computeInvoice. The preview, a draft as it
 * is read, refreshed or finalized, and the entitlement all come from here, for any number of invoices at once
 * (a handful of statements whatever their number).
 */
@Injectable()
export class InvoiceCalculator {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly plans: PlanBook,
    private readonly credits: CreditsRepository,
  ) {}

  async compute(subjects: readonly InvoiceSubject[], asOf: Date, db: Tx = this.invoices.reader): Promise<InvoiceComputation[]> {
    if (subjects.length === 0) return [];
    const customerIds = [...new Set(subjects.map((s) => s.customerId))];
    const unbilled = await this.invoices.unbilledUsage(
      db,
      subjects.map((s) => ({ customer_id: s.customerId, period_start: s.periodStart, takes_late_usage: s.takesLateUsage })),
    );
    const early = subjects.flatMap((s, i) => (s.usageThrough === null ? [] : [{ s, i }]));
    const before = await this.invoices.usageBefore(
      db,
      early.map(({ s }) => ({ customer_id: s.customerId, period_start: s.periodStart, through: s.usageThrough! })),
    );
    const coupons = await this.invoices.activeCoupons(db, customerIds);
    const grantRows = await this.credits.usableGrants(db, customerIds);

    // Plan versions: of the plans billed and the customers' plans, and those recorded on finalized invoices.
    const codes = new Map<string, Set<string>>();
    for (const s of subjects) {
      const set = codes.get(s.organizationId) ?? new Set<string>();
      set.add(s.planCode).add(s.customerPlanCode);
      codes.set(s.organizationId, set);
    }
    const versions = new Map<string, Map<string, PlanVersion[]>>();
    for (const [org, set] of codes) versions.set(org, await this.plans.forCodes(org, [...set], db));
    const versionsOf = (s: InvoiceSubject, code: string) => versions.get(s.organizationId)?.get(code) ?? [];
    const billedVersions = await this.plans.byIds(
      unbilled.flatMap((r) => (r.billed_plan_version_id ? [r.billed_plan_version_id] : [])),
      db,
    );
    const ownVersions = subjects.map((s) => versionForPeriod(versionsOf(s, s.planCode), s.billingPeriodEnd.getTime()));

    // Each usage row with the plan version that priced it: the period's own (or its invoice's, or, for a period
    // closed without one, the customer's plan's), else the version recorded on its events.
    const rows: UsageRow[][] = subjects.map(() => []);
    for (const r of unbilled) {
      const s = subjects[r.subject];
      const own = r.period_start.getTime() === s.periodStart.getTime();
      if (own && s.usageThrough !== null) continue;
      const preferred = own
        ? ownVersions[r.subject]
        : r.billed_plan_version_id
          ? (billedVersions.get(r.billed_plan_version_id) ?? null)
          : versionForPeriod(versionsOf(s, s.customerPlanCode), r.period_end.getTime());
      rows[r.subject].push({
        periodStart: r.period_start,
        periodEnd: r.period_end,
        own,
        aggregate: aggregateOf(r),
        version: null,
        preferred,
      });
    }
    for (const r of before) {
      const i = early[r.subject].i;
      const s = subjects[i];
      rows[i].push({
        periodStart: s.periodStart,
        periodEnd: s.billingPeriodEnd,
        own: true,
        aggregate: aggregateOf(r),
        version: null,
        preferred: ownVersions[i],
      });
    }
    const lookups: { subject: number; row: UsageRow }[] = [];
    rows.forEach((list, subject) => {
      for (const row of list) {
        if (hasCharge(row.preferred, row.aggregate.charge)) row.version = row.preferred;
        else lookups.push({ subject, row });
      }
    });
    if (lookups.length > 0) {
      const ids = await this.invoices.usagePlanVersions(
        db,
        lookups.map(({ subject, row }) => ({
          customer_id: subjects[subject].customerId,
          period_start: row.periodStart,
          period_end: row.periodEnd,
          charge: row.aggregate.charge,
        })),
      );
      const found = await this.plans.byIds(
        ids.flatMap((id) => (id ? [id] : [])),
        db,
      );
      lookups.forEach(({ row }, k) => {
        const v = ids[k] ? found.get(ids[k]!) : undefined;
        if (hasCharge(v, row.aggregate.charge)) row.version = v;
      });
    }

    const couponsOf = new Map<string, CouponRow[]>();
    for (const c of coupons) couponsOf.set(c.customer_id, [...(couponsOf.get(c.customer_id) ?? []), c]);

    // Step 8's grants, per customer. A customer's invoices take from them oldest period first, each from what the
    // ones before it left: two drafts finalized together never use one credit twice.
    const grantsOf = new Map<string, CreditGrant[]>();
    for (const g of grantRows) {
      const grant: CreditGrant = {
        id: g.id,
        remaining: new Decimal(g.remaining),
        priority: g.priority,
        expires_at: g.expires_at,
        created_at: g.created_at,
      };
      grantsOf.set(g.customer_id, [...(grantsOf.get(g.customer_id) ?? []), grant]);
    }
    const order = subjects.map((_, i) => i).sort((a, b) => subjects[a].periodStart.getTime() - subjects[b].periodStart.getTime() || a - b);
    const results: InvoiceComputation[] = new Array(subjects.length);
    for (const i of order) {
      results[i] = this.one(subjects[i], i, rows, ownVersions, couponsOf, grantsOf, asOf);
      const r = results[i];
      if (!r.ok || r.invoice.credit_consumption.length === 0) continue;
      const used = new Map(r.invoice.credit_consumption.map((u) => [u.grant_id, u.amount]));
      grantsOf.set(
        subjects[i].customerId,
        (grantsOf.get(subjects[i].customerId) ?? []).map((g) =>
          used.has(g.id) ? { ...g, remaining: g.remaining.minus(used.get(g.id)!) } : g,
        ),
      );
    }
    return results;
  }

  private one(
    s: InvoiceSubject,
    i: number,
    rows: UsageRow[][],
    ownVersions: (PlanVersion | null)[],
    couponsOf: Map<string, CouponRow[]>,
    grantsOf: Map<string, CreditGrant[]>,
    asOf: Date,
  ): InvoiceComputation {
    {
      try {
        const version = ownVersions[i];
        if (version === null)
          throw new Error(`plan "${s.planCode}" has no version in force for the period ending ${s.billingPeriodEnd.toISOString()}`);
        const usage: ChargeAggregate[] = [];
        const late = new Map<string, { period_start: Date; plan: PlanVersion['plan']; usage: ChargeAggregate[] }>();
        for (const row of rows[i]) {
          const day = row.periodStart.toISOString();
          if (row.version === null)
            throw new Error(
              `usage of charge "${row.aggregate.charge}" in the period from ${day}: no plan version that priced it has that charge`,
            );
          if (row.aggregate.events <= 0n)
            throw new Error(`more usage billed than priced for charge "${row.aggregate.charge}" in the period from ${day}`);
          // Usage another plan priced (the customer moved while its period was open) is billed under that plan.
          if (row.own && row.version === version) {
            usage.push(row.aggregate);
            continue;
          }
          const key = `${day}|${row.version.id}`;
          const group = late.get(key) ?? { period_start: row.periodStart, plan: row.version.plan, usage: [] };
          group.usage.push(row.aggregate);
          late.set(key, group);
        }
        // A coupon applies to the invoices of periods that start before it expires.
        const applicable = (couponsOf.get(s.customerId) ?? []).filter(
          (c) => c.expires_at === null || c.expires_at.getTime() > s.periodStart.getTime(),
        );
        const invoice = computeInvoice({
          plan: version.plan,
          usage,
          late_usage: [...late.values()] satisfies LateUsage[],
          discount: new Decimal(s.discount),
          coupons: applicable.map(couponOf),
          grants: grantsOf.get(s.customerId) ?? [],
          as_of: asOf,
        });
        const once = new Set(applicable.filter((c) => c.frequency === 'once').map((c) => c.id));
        return {
          ok: true,
          invoice,
          version,
          discount: new Decimal(s.discount),
          onceCoupons: invoice.coupons_applied.filter((id) => once.has(id)),
        };
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    }
  }
}
