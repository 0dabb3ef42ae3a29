import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { api_keys as ApiKeyModel, PrismaClient } from './generated/prisma/client';
import type { Tx } from './database';
import { PRISMA } from './tokens';

// API keys are admin data: Prisma. Raw SQL only for an advisory lock and the batched last-used update.

export type Scope = 'ingest' | 'admin' | 'portal';

export interface KeyPrincipal {
  keyId: string;
  organizationId: string;
  scope: Scope;
  customerId: string | null;
  /** The instance operator's key (the first admin key): the only one that may create organisations. */
  isOperator: boolean;
}

export interface ApiKeyRow {
  id: string;
  organization_id: string;
  name: string;
  scope: Scope;
  public_id: string;
  customer_id: string | null;
  is_operator: boolean;
  created_at: Date;
  last_used_at: Date | null;
  /** Set when the key was rotated: it works until then, beside its successor. */
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** What is stored of a new key: never the key itself. */
export interface NewApiKey {
  organizationId: string;
  scope: Scope;
  name: string;
  /** The keyed hash of the key (libs/billing's ApiKeyHasher). */
  keyHash: string;
  publicId: string;
  customerId?: string | null;
  isOperator?: boolean;
  /** A key that stops working then (a portal link); null: until revoked. */
  expiresAt?: Date | null;
}

function toRow(k: ApiKeyModel): ApiKeyRow {
  return {
    id: k.id,
    organization_id: k.organization_id,
    name: k.name,
    scope: k.scope as Scope,
    public_id: k.public_id,
    customer_id: k.customer_id,
    is_operator: k.is_operator,
    created_at: k.created_at,
    last_used_at: k.last_used_at,
    expires_at: k.expires_at,
    revoked_at: k.revoked_at,
  };
}

export function principalOf(row: ApiKeyRow): KeyPrincipal {
  return { keyId: row.id, organizationId: row.organization_id, scope: row.scope, customerId: row.customer_id, isOperator: row.is_operator };
}

/** Not revoked, and not past the end of a rotation's grace period. */
const ACTIVE = (now: Date) => ({ revoked_at: null, OR: [{ expires_at: null }, { expires_at: { gt: now } }] });

@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /** The key stored under this hash, if it still works. */
  async findActiveByHash(keyHash: string, now = new Date()): Promise<ApiKeyRow | null> {
    const row = await this.prisma.api_keys.findUnique({ where: { key_hash: keyHash } });
    if (!row || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) return null;
    return toRow(row);
  }

  async create(key: NewApiKey, tx: Tx = this.prisma): Promise<ApiKeyRow> {
    return toRow(
      await tx.api_keys.create({
        data: {
          id: randomUUID(),
          organization_id: key.organizationId,
          scope: key.scope,
          name: key.name,
          key_hash: key.keyHash,
          public_id: key.publicId,
          customer_id: key.customerId ?? null,
          is_operator: key.isOperator ?? false,
          expires_at: key.expiresAt ?? null,
        },
      }),
    );
  }

  /** The organisation's keys that still work, oldest first, after the key `afterId` (a cursor). */
  async listActive(organizationId: string, afterId: string | null, limit: number, now = new Date()): Promise<ApiKeyRow[]> {
    const after =
      afterId === null
        ? null
        : await this.prisma.api_keys.findFirst({ where: { id: afterId, organization_id: organizationId }, select: { created_at: true } });
    const rows = await this.prisma.api_keys.findMany({
      where: {
        organization_id: organizationId,
        ...ACTIVE(now),
        ...(after ? { OR: [{ created_at: { gt: after.created_at } }, { created_at: after.created_at, id: { gt: afterId! } }] } : {}),
      },
      orderBy: [{ created_at: 'asc' }, { id: 'asc' }],
      take: limit,
    });
    return rows.map(toRow);
  }

  async find(organizationId: string, id: string, tx: Tx = this.prisma): Promise<ApiKeyRow | null> {
    const row = await tx.api_keys.findFirst({ where: { id, organization_id: organizationId } });
    return row ? toRow(row) : null;
  }

  /**
   * Serialises changes to an organisation's keys (a revocation must not leave it without an admin key, whoever
   * else revokes at once). SQL for the lock alone: Prisma has no advisory locks. An advisory lock rather than the
   * organisation's row, which ingest and pricing lock too.
   */
  async lockKeysOf(organizationId: string, tx: Tx): Promise<void> {
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${'api_keys:' + organizationId}, 0))::text`;
  }

  /** Keys that are current (neither revoked nor rotated) of an organisation, other than `exceptId`. */
  async countCurrent(organizationId: string, filter: { scope?: Scope; isOperator?: boolean }, exceptId: string, tx: Tx): Promise<number> {
    return tx.api_keys.count({
      where: {
        organization_id: organizationId,
        id: { not: exceptId },
        revoked_at: null,
        expires_at: null,
        ...(filter.scope ? { scope: filter.scope } : {}),
        ...(filter.isOperator !== undefined ? { is_operator: filter.isOperator } : {}),
      },
    });
  }

  async revoke(id: string, tx: Tx): Promise<ApiKeyRow> {
    return toRow(await tx.api_keys.update({ where: { id }, data: { revoked_at: new Date() } }));
  }

  /** Ends a rotated key's life at `until` (its successor is created in the same transaction). */
  async expire(id: string, until: Date, tx: Tx): Promise<ApiKeyRow> {
    return toRow(await tx.api_keys.update({ where: { id }, data: { expires_at: until } }));
  }

  /**
   * Changes whenever a key is revoked or rotated (each sets a column that is never cleared, and rows are never
   * deleted): what each api instance polls to drop its cached keys. A count, not a timestamp: a count moves only
   * at commit, whatever the order transactions started in.
   */
  async revision(): Promise<number> {
    const { _count } = await this.prisma.api_keys.aggregate({ _count: { revoked_at: true, expires_at: true } });
    return _count.revoked_at + _count.expires_at;
  }

  /**
   * Notes when keys were last used. One statement for every key noted since the last call (Prisma would send one
   * per key); a later time never goes back.
   */
  async recordUse(ids: readonly string[], at: readonly Date[]): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.$executeRawUnsafe(
      `UPDATE api_keys k SET last_used_at = greatest(k.last_used_at, u.at)
       FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at) WHERE k.id = u.id`,
      [...ids],
      [...at],
    );
  }

  /** Keys still stored as their plain SHA-256 (before keyed hashes): id and that hash. */
  async legacyHashes(): Promise<{ id: string; key_hash: string }[]> {
    return this.prisma.api_keys.findMany({ where: { key_hash_scheme: 'sha256' }, select: { id: true, key_hash: true } });
  }

  /** Replaces a legacy hash by its keyed hash; false when another instance did it first. */
  async upgradeHash(id: string, legacyHash: string, keyHash: string): Promise<boolean> {
    const res = await this.prisma.api_keys.updateMany({
      where: { id, key_hash: legacyHash, key_hash_scheme: 'sha256' },
      data: { key_hash: keyHash, key_hash_scheme: 'hmac-sha256' },
    });
    return res.count === 1;
  }
}
