import { Injectable } from '@nestjs/common';
import { AnalyticsRepository, Transactions } from '@tollgate/db';
import { Clock } from '../clock';
import { PublishWebhookEvent } from '../webhooks/publish-webhook-event';
import { cliffEntryJson, MarginCliff } from './get-margin-cliff';

/** What margin.below_target is about: one event per customer and period, whichever basis found it first. */
export const marginBelowTargetSubject = (customerId: string, periodStart: Date) =>
  `customer:${customerId}:period:${periodStart.toISOString()}`;

/** Periods ended longer ago than this are no news. */
const LOOKBACK_MS = 400 * 86_400_000;

/**
 * Publishes `margin.below_target` for every customer of the margin-cliff report, once per customer and period
 * (the webhook events' unique key), for every organisation with recent usage. Run by the worker after a billing
 * cycle, at most once an hour (docs/design.md "Analytics"); running it again publishes nothing new.
 */
@Injectable()
export class CheckMarginTargets {
  constructor(
    private readonly analytics: AnalyticsRepository,
    private readonly cliff: MarginCliff,
    private readonly transactions: Transactions,
    private readonly webhooks: PublishWebhookEvent,
    private readonly clock: Clock,
  ) {}

  async execute({ organizationIds }: { organizationIds?: string[] } = {}): Promise<{ published: number }> {
    const now = this.clock.now();
    const orgs = organizationIds ?? (await this.analytics.organizationsWithUsageSince(new Date(now.getTime() - LOOKBACK_MS)));
    let published = 0;
    for (const organizationId of orgs) {
      const { target, entries } = await this.cliff.entries(organizationId, now);
      if (entries.length === 0) continue;
      const events = await this.transactions.run(async (tx) => {
        const out = [];
        for (const e of entries)
          out.push(
            await this.webhooks.publish(tx, {
              organizationId,
              type: 'margin.below_target',
              subjectKey: marginBelowTargetSubject(e.customerId, e.periodStart),
              payload: { target_margin: target.toFixed(), ...cliffEntryJson(e) },
            }),
          );
        return out;
      });
      await this.webhooks.dispatch(...events);
      published += events.filter((e) => e.eventId !== null).length;
    }
    return { published };
  }
}
