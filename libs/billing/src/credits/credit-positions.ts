import { Injectable } from '@nestjs/common';
import { CreditsRepository, InvoicesRepository, type Tx } from '@tollgate/db';
import { Decimal } from '@tollgate/money';
import { billingPeriod, entitlement, type BillingPeriod, type Entitlement, type Invoice } from '@tollgate/pricing';
import { Clock } from '../clock';
import { InvoiceCalculator, type InvoiceSubject } from '../invoices/invoice-calculator';
import { periodInterval, PlanBook, versionForPeriod } from '../pricing/plan-book';
import { nextInvoiceSubject } from '../usage/customer-period';
import { periodUsage } from '../usage/period-usage';

/** Where a customer's credit stands now (docs/design.md "Credits"). */
export interface CreditPosition {
  customerId: string;
  organizationId: string;
  externalId: string;
  currency: string;
  /** Σ remaining of its active grants not expired. */
  balance: Decimal;
  /** balance − the next invoice's subtotal so far − its drafts' subtotals (may be negative: owed beyond the credit). */
  ongoingBalance: Decimal;
  /** The next invoice's usage lines net of the allowance (the entitlement's period_usage). */
  periodUsage: Decimal;
  spendCap: Decimal | null;
  prepaid: boolean;
  entitlement: Entitlement;
  /** The period of the next invoice. */
  period: BillingPeriod;
  /** The next invoice as it stands now (the preview). */
  invoice: Invoice;
  customerUpdatedAt: Date;
  /** The wallet's revision read before everything else ("0" without a wallet), and when (the database's clock). */
  revision: string;
  readAt: Date;
}

/**
 * The credit positions of any number of customers in a handful of statements, through the invoice computation of
 * the preview (InvoiceCalculator, the same subject as CurrentPeriod's). The wallets' revisions are read first, so
 * a position stored with its revision is known stale as soon as a change commits after that read.
 */
@Injectable()
export class CreditPositions {
  constructor(
    private readonly credits: CreditsRepository,
    private readonly invoices: InvoicesRepository,
    private readonly calculator: InvoiceCalculator,
    private readonly plans: PlanBook,
    private readonly clock: Clock,
  ) {}

  async of(customerIds: readonly string[], db: Tx = this.credits.reader): Promise<{ positions: CreditPosition[]; failed: string[] }> {
    const ids = [...new Set(customerIds)];
    if (ids.length === 0) return { positions: [], failed: [] };
    const { revisions, at } = await this.credits.revisions(db, ids);
    const now = this.clock.now();
    const customers = await this.credits.positionCustomers(db, ids);
    const codes = new Map<string, Set<string>>();
    for (const c of customers) codes.set(c.organization_id, (codes.get(c.organization_id) ?? new Set()).add(c.plan_code));
    const versions = new Map<string, Awaited<ReturnType<PlanBook['forCodes']>>>();
    for (const [org, set] of codes) versions.set(org, await this.plans.forCodes(org, [...set], db));

    const current = customers.map((c) => {
      const list = versions.get(c.organization_id)?.get(c.plan_code) ?? [];
      return { c, list, period: billingPeriod(now, c.billing_anchor, periodInterval(list)) };
    });
    // A current period closed early: the next invoice is the next period's.
    const invoiced = await this.credits.periodsInvoiced(
      db,
      current.map((x) => x.c.id),
      current.map((x) => x.period.start),
    );
    const drafts = await this.invoices.oldestDrafts(db, ids);
    const failed: string[] = [];
    const subjects: { x: (typeof current)[number]; period: BillingPeriod; subject: InvoiceSubject }[] = [];
    for (const x of current) {
      const period = invoiced.has(x.c.id) ? billingPeriod(x.period.end, x.c.billing_anchor, periodInterval(x.list)) : x.period;
      if (versionForPeriod(x.list, period.end.getTime()) === null) {
        failed.push(x.c.id);
        continue;
      }
      subjects.push({ x, period, subject: nextInvoiceSubject(x.c.organization_id, x.c, period, drafts.has(x.c.id)) });
    }
    const computed = await this.calculator.compute(
      subjects.map((s) => s.subject),
      now,
      db,
    );
    const balances = await this.credits.balances(db, ids, now);
    const owed = await this.credits.draftSubtotals(db, ids);

    const positions: CreditPosition[] = [];
    subjects.forEach(({ x, period }, i) => {
      const r = computed[i];
      if (!r.ok) {
        failed.push(x.c.id);
        return;
      }
      const balance = new Decimal(balances.get(x.c.id) ?? 0);
      const ongoingBalance = balance.minus(r.invoice.subtotal).minus(new Decimal(owed.get(x.c.id) ?? 0));
      const used = periodUsage(r.invoice);
      const spendCap = x.c.spend_cap === null ? null : new Decimal(x.c.spend_cap);
      const prepaid = r.version.plan.prepaid;
      positions.push({
        customerId: x.c.id,
        organizationId: x.c.organization_id,
        externalId: x.c.external_id,
        currency: r.invoice.currency,
        balance,
        ongoingBalance,
        periodUsage: used,
        spendCap,
        prepaid,
        entitlement: entitlement({ prepaid, ongoing_balance: ongoingBalance, period_usage: used, spend_cap: spendCap }),
        period,
        invoice: r.invoice,
        customerUpdatedAt: x.c.updated_at,
        revision: revisions.get(x.c.id) ?? '0',
        readAt: at,
      });
    });
    return { positions, failed };
  }
}
