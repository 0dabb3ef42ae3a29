import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { PrismaClient } from './generated/prisma/client';
import type { Tx } from './database';
import { DB_POOL, PRISMA } from './tokens';

// A customer's usage alert amounts. Setting and reading them is admin data (Prisma); what the pricing path asks
// after each batch is SQL: one statement for all of the batch's customers.

/** A customer with usage alerts, as the threshold check needs it. */
export interface AlertedCustomerRow {
  id: string;
  external_id: string;
  plan_code: string;
  /** Exact decimal text. */
  discount: string;
  /** Ascending, exact decimal text. */
  thresholds: string[];
}

/** A billing period of a customer that a batch's priced events went into. */
export interface CustomerPeriodRow {
  organization_id: string;
  customer_id: string;
  period_start: Date;
  period_end: Date;
}

@Injectable()
export class UsageAlertsRepository {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(DB_POOL) private readonly pool: Pool,
  ) {}

  /** The customer's amounts become exactly these. */
  async replace(tx: Tx, organizationId: string, customerId: string, thresholds: readonly string[]): Promise<void> {
    await tx.usage_alerts.deleteMany({ where: { customer_id: customerId } });
    await tx.usage_alerts.createMany({
      data: thresholds.map((threshold) => ({ customer_id: customerId, organization_id: organizationId, threshold })),
    });
  }

  /** Ascending, exact decimal text. */
  async thresholds(customerId: string, tx: Tx = this.prisma): Promise<string[]> {
    const rows = await tx.usage_alerts.findMany({
      where: { customer_id: customerId },
      orderBy: { threshold: 'asc' },
      select: { threshold: true },
    });
    return rows.map((r) => r.threshold.toFixed());
  }

  /** Those of the customers that have usage alerts, with their amounts (most have none: one index lookup each). */
  async alertedCustomers(customerIds: readonly string[]): Promise<AlertedCustomerRow[]> {
    if (customerIds.length === 0) return [];
    const res = await this.pool.query<AlertedCustomerRow>(
      `SELECT c.id::text, c.external_id, c.plan_code, c.discount::text, array_agg(a.threshold::text ORDER BY a.threshold) AS thresholds
       FROM usage_alerts a JOIN customers c ON c.id = a.customer_id
       WHERE a.customer_id = ANY($1::uuid[])
       GROUP BY c.id`,
      [customerIds],
    );
    return res.rows;
  }

  /**
   * The periods a batch's priced events went into, of customers with usage alerts only. Read when the batch was
   * priced by an earlier run (the check after its commit may not have happened).
   */
  async pricedPeriodsOfBatch(batchId: string): Promise<CustomerPeriodRow[]> {
    const res = await this.pool.query<CustomerPeriodRow>(
      `SELECT DISTINCT e.organization_id::text, e.customer_id::text, e.period_start, g.period_end
       FROM events e JOIN usage_aggregates g ON g.customer_id = e.customer_id AND g.period_start = e.period_start AND g.charge = e.charge
       WHERE e.id = ANY((SELECT event_ids FROM ingest_batches WHERE id = $1)::int8[]) AND e.pricing_status = 'priced'
         AND EXISTS (SELECT 1 FROM usage_alerts u WHERE u.customer_id = e.customer_id)`,
      [batchId],
    );
    return res.rows;
  }
}
