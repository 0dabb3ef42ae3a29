import { Pool, type QueryResultRow } from 'pg';

/**
 * A test's own look into a database it is given (the state an api or worker under test left), so tests in
 * apps/ check Postgres without speaking pg themselves.
 */
export class DatabaseProbe {
  readonly pool: Pool;

  constructor(databaseUrl: string) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 3 });
    // pool.end() resolves once its clients are told to end, not once their backends are gone: a test dropping its
    // database right after (DROP DATABASE … WITH (FORCE)) can terminate a backend still closing, and the pool
    // then emits that client's 57P01 as its 'error', which without a listener fails the whole test file.
    this.pool.on('error', () => undefined);
  }

  async rows<T extends QueryResultRow = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, values)).rows;
  }

  /** `SELECT count(*) FROM <table> WHERE <where>`. */
  async count(table: string, where = 'true', values: unknown[] = []): Promise<number> {
    return (await this.rows<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, values))[0].n;
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
