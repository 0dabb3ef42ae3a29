import { Injectable } from '@nestjs/common';
import { Transactions, UsageAlertsRepository, UsageRepository, WebhookDeliveriesRepository, type AlertedCustomerRow } from '@tollgate/db';
import { Decimal, formatAmount } from '@tollgate/money';
import { computeInvoice } from '@tollgate/pricing';
import { PlanBook, versionForPeriod } from '../pricing/plan-book';
import { chargeAggregates, periodUsage } from '../usage/period-usage';
import { PublishWebhookEvent, type PublishWebhookEventCommand } from '../webhooks/publish-webhook-event';
import { usageThresholdSubject } from './usage-threshold-subject';

/** A billing period of a customer that priced usage just went into. */
export interface PricedPeriod {
  customerId: string;
  periodStart: Date;
  periodEnd: Date;
}

export interface CheckUsageThresholdsCommand {
  organizationId: string;
  periods: readonly PricedPeriod[];
}

const TYPE = 'usage.threshold_crossed';

/**
 * After a batch is priced: for its customers with usage alerts, the period usage as invoiced (what the
 * entitlement reports as period_usage) against their amounts; each amount reached publishes
 * usage.threshold_crossed once per (customer, period, amount), however many workers see it. Set-based: one query
 * finds which of the batch's customers have alerts (usually none, and then nothing else runs), one reads their
 * periods' aggregates, one which crossings were announced already.
 */
@Injectable()
export class CheckUsageThresholds {
  constructor(
    private readonly alerts: UsageAlertsRepository,
    private readonly usage: UsageRepository,
    private readonly plans: PlanBook,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly transactions: Transactions,
    private readonly publisher: PublishWebhookEvent,
  ) {}

  async execute({ organizationId, periods }: CheckUsageThresholdsCommand): Promise<{ published: number }> {
    const alerted = new Map((await this.alerts.alertedCustomers([...new Set(periods.map((p) => p.customerId))])).map((c) => [c.id, c]));
    if (alerted.size === 0) return { published: 0 };
    const watched = distinct(periods.filter((p) => alerted.has(p.customerId)));
    const rows = await this.usage.aggregatesOfPeriods(
      watched.map((p) => p.customerId),
      watched.map((p) => p.periodStart),
    );
    const plans = await this.plans.forCodes(organizationId, [...new Set([...alerted.values()].map((c) => c.plan_code))]);

    const crossings: PublishWebhookEventCommand[] = [];
    for (const period of watched) {
      const customer = alerted.get(period.customerId)!;
      const version = versionForPeriod(plans.get(customer.plan_code) ?? [], period.periodEnd.getTime());
      if (version === null) continue;
      const aggregates = rows.filter(
        (r) => r.customer_id === period.customerId && r.period_start.getTime() === period.periodStart.getTime(),
      );
      // Coupons and credits come after the usage lines and the allowance: they do not change this figure.
      const invoice = computeInvoice({
        plan: version.plan,
        usage: chargeAggregates(aggregates),
        late_usage: [],
        discount: new Decimal(customer.discount),
        coupons: [],
        grants: [],
        as_of: new Date(),
      });
      const used = periodUsage(invoice);
      for (const threshold of customer.thresholds) {
        if (used.gte(threshold))
          crossings.push(crossing(organizationId, customer, period, threshold, formatAmount(used, invoice.currency), invoice.currency));
      }
    }
    if (crossings.length === 0) return { published: 0 };
    // Announced already (most crossings, after the first batch past an amount): no write at all.
    const announced = await this.deliveries.publishedSubjects(
      organizationId,
      TYPE,
      crossings.map((c) => c.subjectKey),
    );
    const fresh = crossings.filter((c) => !announced.has(c.subjectKey));
    if (fresh.length === 0) return { published: 0 };
    const published = await this.transactions.run(async (tx) => {
      const out = [];
      for (const c of fresh) out.push(await this.publisher.publish(tx, c));
      return out;
    });
    await this.publisher.dispatch(...published);
    return { published: published.filter((p) => p.eventId !== null).length };
  }

  /** For a batch priced by an earlier run: its periods are read back from Postgres. */
  async forBatch(batchId: string): Promise<{ published: number }> {
    const periods = await this.alerts.pricedPeriodsOfBatch(batchId);
    if (periods.length === 0) return { published: 0 };
    return this.execute({
      organizationId: periods[0].organization_id,
      periods: periods.map((p) => ({ customerId: p.customer_id, periodStart: p.period_start, periodEnd: p.period_end })),
    });
  }
}

function distinct(periods: readonly PricedPeriod[]): PricedPeriod[] {
  const seen = new Map<string, PricedPeriod>();
  for (const p of periods) seen.set(`${p.customerId}/${p.periodStart.getTime()}`, p);
  return [...seen.values()];
}

function crossing(
  organizationId: string,
  customer: AlertedCustomerRow,
  period: PricedPeriod,
  threshold: string,
  used: string,
  currency: string,
): PublishWebhookEventCommand {
  return {
    organizationId,
    type: TYPE,
    subjectKey: usageThresholdSubject(customer.id, period.periodStart, threshold),
    payload: {
      customer_id: customer.id,
      external_customer_id: customer.external_id,
      threshold: new Decimal(threshold).toFixed(),
      period_usage: used,
      currency,
      period_start: period.periodStart.toISOString(),
      period_end: period.periodEnd.toISOString(),
    },
  };
}
