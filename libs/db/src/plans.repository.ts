import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient, plans as PlanModel } from './generated/prisma/client';
import { isUniqueViolation, type Tx } from './database';
import { PRISMA } from './tokens';

// Plan versions are admin data: Prisma.

export interface PlanVersionRow {
  id: string;
  organization_id: string;
  code: string;
  version: number;
  /** The validated plan as stored (JSON, money as decimal strings): validate it again before use. */
  definition: unknown;
  effective_from: Date;
  created_at: Date;
}

/** The plan an organisation's unknown customers start on, until the operator changes it (PUT /v1/plans/default). */
export const DEFAULT_PLAN_DEFINITION = {
  code: 'default',
  name: 'Default (pass-through at cost)',
  currency: 'USD',
  interval: 'month',
  base_fee: '0',
  included_usage: '0',
  minimum_commitment: '0',
  grace_period_hours: 0,
  requires_approval: false,
  prepaid: false,
  cost_source: 'rate_card',
  customer_line_detail: 'per_charge',
  charges: [{ name: 'usage', models: ['*'], mode: 'price', markup: '0', margin_floor: null, allowance_eligible: true }],
};

const toRow = (p: PlanModel): PlanVersionRow => p;

/** Plan versions: immutable rows; a change is the next version, in force from its effective_from. */
@Injectable()
export class PlansRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /** Every version of the given codes, oldest first within a code. */
  async versions(organizationId: string, codes: readonly string[], tx: Tx = this.prisma): Promise<PlanVersionRow[]> {
    const rows = await tx.plans.findMany({
      where: { organization_id: organizationId, code: { in: [...codes] } },
      orderBy: [{ code: 'asc' }, { version: 'asc' }],
    });
    return rows.map(toRow);
  }

  /** Versions by id (the version an invoice or an event records). */
  async byIds(ids: readonly string[], tx: Tx = this.prisma): Promise<PlanVersionRow[]> {
    if (ids.length === 0) return [];
    return (await tx.plans.findMany({ where: { id: { in: [...ids] } } })).map(toRow);
  }

  async exists(organizationId: string, code: string, tx: Tx = this.prisma): Promise<boolean> {
    return (await tx.plans.findFirst({ where: { organization_id: organizationId, code }, select: { id: true } })) !== null;
  }

  /** The latest version of each code after `afterCode`, in code order. */
  async list(organizationId: string, afterCode: string | null, limit: number): Promise<PlanVersionRow[]> {
    const latest = await this.prisma.plans.groupBy({
      by: ['code'],
      where: { organization_id: organizationId, ...(afterCode === null ? {} : { code: { gt: afterCode } }) },
      _max: { version: true },
      orderBy: { code: 'asc' },
      take: limit,
    });
    if (latest.length === 0) return [];
    const rows = await this.prisma.plans.findMany({
      where: { organization_id: organizationId, OR: latest.map((l) => ({ code: l.code, version: l._max.version! })) },
      orderBy: { code: 'asc' },
    });
    return rows.map(toRow);
  }

  /**
   * Adds version 1 of a new code. Returns null when the code exists (a unique key guards the race; the caller's
   * transaction, if any, is then aborted).
   */
  async addFirst(organizationId: string, code: string, definition: object, tx: Tx = this.prisma): Promise<PlanVersionRow | null> {
    if (await this.exists(organizationId, code, tx)) return null;
    try {
      // Version 1 prices any event of any period: a plan exists from the start of time.
      return toRow(
        await tx.plans.create({
          data: {
            id: randomUUID(),
            organization_id: organizationId,
            code,
            version: 1,
            definition: definition as Prisma.InputJsonObject,
            effective_from: new Date(0),
          },
        }),
      );
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }

  /**
   * Adds the next version of an existing code, in force from `effectiveFrom`; null when the code does not exist.
   * Two concurrent changes of one code: the unique key (organization, code, version) refuses the second, which
   * fails with a unique violation for its caller to retry.
   */
  async addNext(organizationId: string, code: string, definition: object, effectiveFrom: Date, tx: Tx): Promise<PlanVersionRow | null> {
    const latest = await tx.plans.findFirst({
      where: { organization_id: organizationId, code },
      orderBy: { version: 'desc' },
      select: { version: true },
    });
    if (latest === null) return null;
    return toRow(
      await tx.plans.create({
        data: {
          id: randomUUID(),
          organization_id: organizationId,
          code,
          version: latest.version + 1,
          definition: definition as Prisma.InputJsonObject,
          effective_from: effectiveFrom,
        },
      }),
    );
  }
}
