import { Pool, type PoolConfig } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from './generated/prisma/client';

// One pg pool per process, shared by Prisma Client and the repositories' hand-written SQL.
//
// The rule (docs/architecture.md, "Prisma or SQL"): Prisma owns the schema, the migrations and the ordinary
// typed reads and writes of admin data (organisations, keys, plans, customers). The set-based hot paths
// (the ingest insert, the pricing statement, the aggregates, resets and batch bookkeeping) are SQL written
// here, typed, each saying why it is not Prisma. Nothing outside libs/db writes SQL.

export function createPool(databaseUrl: string, options: Partial<PoolConfig> = {}): Pool {
  const pool = new Pool({
    connectionString: databaseUrl,
    max: 10,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    ...options,
  });
  // A client losing its connection (Postgres restarted) must not crash the process. The pool listens on idle
  // clients only; a checked-out one (inside a transaction, between queries) would throw its 'error' event
  // unhandled: every client gets a listener of its own. Its query, if any, fails (an outage, see
  // isUnavailableError) and the pool drops it when it is released.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export function createPrisma(pool: Pool): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}

/** A Prisma interactive transaction, or the client itself outside one: what repositories' methods run on. */
export type Tx = Prisma.TransactionClient;

/** Errors that mean "storage is unavailable right now, retry later" rather than a bug or bad input. */
export function isUnavailableError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  const code = e.code ?? '';
  // Node's socket errors, Postgres's connection and shutdown SQLSTATEs, Prisma's "can't reach" / pool timeout codes.
  if (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      'ENOTFOUND',
      'EHOSTUNREACH',
      '57P01',
      '57P02',
      '57P03',
      '53300',
      '08000',
      '08003',
      '08006',
      '08001',
      '08004',
      'P1001',
      'P1002',
      'P1017',
      'P2024',
    ].includes(code)
  ) {
    return true;
  }
  const message = e.message ?? '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)|Can't reach database server/i.test(
    message,
  );
}

/**
 * Postgres refused a value (SQLSTATE class 22, data exception: a numeric field overflow, a value out of range),
 * as opposed to an outage or a bug in a statement: the same values will always fail.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/** A unique key refused the write (Prisma's P2002): the row exists already. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

export { Prisma, PrismaClient };
