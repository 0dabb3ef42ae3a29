import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { generateKey, hashKey } from './api-keys.repository';
import { DEFAULT_PLAN_DEFINITION } from './plans.repository';

/** An organisation is created with its default plan and its first admin key, in one transaction. */
export async function createOrganization(
  pool: Pool,
  name: string,
  options: { adminKey?: string; isDefault?: boolean; isOperator?: boolean; lockKey?: number } = {},
): Promise<{ id: string; name: string; adminKey: string } | null> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (options.lockKey !== undefined) {
      // First start: api instances starting together create the default organisation once.
      await client.query('SELECT pg_advisory_xact_lock($1)', [options.lockKey]);
      const existing = await client.query('SELECT 1 FROM organizations LIMIT 1');
      if (existing.rowCount) {
        await client.query('ROLLBACK');
        return null;
      }
    }
    const id = randomUUID();
    const key = options.adminKey ?? generateKey('admin');
    await client.query('INSERT INTO organizations (id, name, is_default) VALUES ($1, $2, $3)', [id, name, options.isDefault ?? false]);
    await client.query(
      `INSERT INTO plans (id, organization_id, code, version, definition, effective_from) VALUES ($1, $2, 'default', 1, $3, to_timestamp(0))`,
      [randomUUID(), id, JSON.stringify(DEFAULT_PLAN_DEFINITION)],
    );
    await client.query(
      `INSERT INTO api_keys (id, organization_id, name, scope, key_hash, key_prefix, is_operator) VALUES ($1, $2, $3, 'admin', $4, $5, $6)`,
      [randomUUID(), id, options.adminKey ? 'TOLLGATE_ADMIN_KEY' : 'first admin key', hashKey(key), key.slice(0, 12), options.isOperator ?? false],
    );
    await client.query('COMMIT');
    return { id, name, adminKey: key };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
