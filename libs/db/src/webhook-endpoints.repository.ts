import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { PrismaClient, webhook_endpoints as EndpointModel } from './generated/prisma/client';
import type { Tx } from './database';
import { PRISMA } from './tokens';

// Webhook endpoints are admin data: Prisma.

export interface WebhookEndpointRow {
  id: string;
  /** Creation order, what lists page on. */
  seq: bigint;
  organization_id: string;
  url: string;
  description: string | null;
  events: string[];
  /** Signs every delivery; only the use case that creates the endpoint hands it out, once. */
  secret: string;
  created_at: Date;
  disabled_at: Date | null;
}

const toRow = (e: EndpointModel): WebhookEndpointRow => e;

@Injectable()
export class WebhookEndpointsRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async create(
    organizationId: string,
    fields: { url: string; description: string | null; events: string[]; secret: string },
  ): Promise<WebhookEndpointRow> {
    return toRow(await this.prisma.webhook_endpoints.create({ data: { id: randomUUID(), organization_id: organizationId, ...fields } }));
  }

  async find(organizationId: string, id: string): Promise<WebhookEndpointRow | null> {
    const row = await this.prisma.webhook_endpoints.findFirst({ where: { id, organization_id: organizationId } });
    return row === null ? null : toRow(row);
  }

  /** A page in creation order, after `afterSeq`. */
  async list(organizationId: string, afterSeq: bigint | null, limit: number): Promise<WebhookEndpointRow[]> {
    const rows = await this.prisma.webhook_endpoints.findMany({
      where: { organization_id: organizationId, ...(afterSeq === null ? {} : { seq: { gt: afterSeq } }) },
      orderBy: { seq: 'asc' },
      take: limit,
    });
    return rows.map(toRow);
  }

  /**
   * Disables the endpoint (once: a second call changes nothing) and cancels its deliveries still pending, in the
   * caller's transaction. An attempt in flight may still reach it; its outcome is recorded, the delivery stays
   * canceled.
   */
  async disable(tx: Tx, organizationId: string, id: string): Promise<{ endpoint: WebhookEndpointRow; canceled: number } | null> {
    const found = await tx.webhook_endpoints.findFirst({ where: { id, organization_id: organizationId } });
    if (found === null) return null;
    if (found.disabled_at !== null) return { endpoint: toRow(found), canceled: 0 };
    const endpoint = await tx.webhook_endpoints.update({ where: { id }, data: { disabled_at: new Date() } });
    const canceled = await tx.webhook_deliveries.updateMany({
      where: { endpoint_id: id, status: 'pending' },
      data: { status: 'canceled', next_attempt_at: null, updated_at: new Date() },
    });
    return { endpoint: toRow(endpoint), canceled: canceled.count };
  }

  /** The event types the organisations' enabled endpoints take, as `<organisation id>|<type>`. */
  async subscribedTypes(db: Tx, organizationIds: readonly string[]): Promise<Set<string>> {
    if (organizationIds.length === 0) return new Set();
    const rows = await db.webhook_endpoints.findMany({
      where: { organization_id: { in: [...new Set(organizationIds)] }, disabled_at: null },
      select: { organization_id: true, events: true },
    });
    return new Set(rows.flatMap((r) => r.events.map((e) => `${r.organization_id}|${e}`)));
  }
}
