// The real Tollgate api for test suites written in other languages (the Python SDK's pytest):
//   node -r ./tools/ts-register.js libs/testing/src/launch/api.ts [--db-proxy]
// Makes a database from the migrations, starts the api on a free port and prints one JSON line:
// {"url", "ingest_key", "admin_key"}. With --db-proxy the api reaches Postgres through a TcpProxy and the
// stdin commands "cut" / "restore" stop and restart it (the api then answers 503, as in an outage).
// When stdin closes the api stops and the database is dropped.
// (ts-register, not tsx: Nest's dependency injection needs decorator metadata, which esbuild does not emit.)
import { createDatabase, migrateTemplate } from '../../../../jest/template';
import { startTestApi } from '../api-harness';
import { ADMIN_DATABASE_URL, databaseUrl, dropDatabase } from '../db';
import { TcpProxy } from '../tcp-proxy';
import { serveCommands } from './lines';

async function main(): Promise<void> {
  const name = await createDatabase();
  let proxy: TcpProxy | undefined;
  try {
    await migrateTemplate(name);
    const url = new URL(databaseUrl(name));
    if (process.argv.includes('--db-proxy')) {
      const admin = new URL(ADMIN_DATABASE_URL);
      proxy = new TcpProxy(admin.hostname, Number(admin.port || 5432));
      url.host = `127.0.0.1:${await proxy.start()}`;
    }
    const api = await startTestApi({ DATABASE_URL: url.toString() });
    process.stdout.write(JSON.stringify({ url: api.baseUrl, ingest_key: api.ingestKey, admin_key: api.adminKey }) + '\n');
    serveCommands(
      async (command) => {
        if (command === 'cut' && proxy) return proxy.cut();
        if (command === 'restore' && proxy) return proxy.restore();
        throw new Error(`unknown command ${command}${proxy ? '' : ' (start with --db-proxy)'}`);
      },
      async () => {
        await api.close();
        await proxy?.close();
        await dropDatabase(name);
      },
    );
  } catch (error) {
    await proxy?.close();
    await dropDatabase(name);
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
