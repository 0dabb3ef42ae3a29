import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DB_POOL } from './tokens';

/** prisma/migrations of this checkout, found upward from this file (it runs from src/ and from dist/). */
export function migrationsDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'prisma', 'migrations');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('prisma/migrations not found above ' + __dirname);
    dir = parent;
  }
}

export function bundledMigrations(): string[] {
  return readdirSync(migrationsDir(), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/**
 * Migrations of this code that the database has not applied (all of them when it has none). SQL, not Prisma:
 * `_prisma_migrations` is Prisma Migrate's own table, not a model, and may not exist yet.
 */
export async function pendingMigrations(pool: Pool): Promise<string[]> {
  const exists = await pool.query<{ ok: boolean }>("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS ok");
  const applied = new Set<string>();
  if (exists.rows[0].ok) {
    const res = await pool.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    for (const r of res.rows) applied.add(r.migration_name);
  }
  return bundledMigrations().filter((m) => !applied.has(m));
}

/** Whether this process's database can serve: reachable (else it throws) and migrated (GET /readyz). */
@Injectable()
export class DatabaseStatus {
  constructor(@Inject(DB_POOL) private readonly pool: Pool) {}

  pendingMigrations(): Promise<string[]> {
    return pendingMigrations(this.pool);
  }
}
