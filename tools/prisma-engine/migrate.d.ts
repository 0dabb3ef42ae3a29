/** Runs the real `prisma migrate deploy` against `databaseUrl`; resolves to the applied migration names. */
export function migrateDeploy(databaseUrl: string): Promise<string[]>;
/** The migration directory names under prisma/migrations, in order. */
export function migrationNames(): string[];
/** Runs the Prisma CLI (with a working schema engine) against `databaseUrl`; resolves to its stdout. */
export function runPrisma(args: string[], databaseUrl: string): Promise<string>;
export const MIGRATIONS_DIR: string;
