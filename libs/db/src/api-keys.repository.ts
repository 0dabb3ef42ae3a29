import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from './generated/prisma/client';
import { PRISMA } from './tokens';

// API keys are admin data: Prisma.

export type Scope = 'ingest' | 'admin' | 'portal';

export interface KeyPrincipal {
  keyId: string;
  organizationId: string;
  scope: Scope;
  customerId: string | null;
  /** The instance operator's key (the first admin key): the only one that may create organisations. */
  isOperator: boolean;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A new secret: shown once, stored only as its hash. */
export function generateKey(scope: Scope): string {
  return `tg_${scope}_${randomBytes(24).toString('base64url')}`;
}

@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async findByKey(key: string): Promise<KeyPrincipal | null> {
    const row = await this.prisma.api_keys.findUnique({ where: { key_hash: hashKey(key) } });
    if (!row || row.revoked_at) return null;
    return {
      keyId: row.id,
      organizationId: row.organization_id,
      scope: row.scope as Scope,
      customerId: row.customer_id,
      isOperator: row.is_operator,
    };
  }

  async create(
    organizationId: string,
    scope: Scope,
    name: string,
    options: { key?: string; customerId?: string; isOperator?: boolean } = {},
  ): Promise<{ id: string; key: string; scope: Scope }> {
    const key = options.key ?? generateKey(scope);
    const row = await this.prisma.api_keys.create({
      data: {
        organization_id: organizationId,
        scope,
        name,
        key_hash: hashKey(key),
        key_prefix: key.slice(0, 12),
        customer_id: options.customerId ?? null,
        is_operator: options.isOperator ?? false,
      },
    });
    return { id: row.id, key, scope };
  }
}
