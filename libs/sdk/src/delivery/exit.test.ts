import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Esbuild from 'esbuild';
import { FakeIngest } from '../../test/fake-ingest';

// Agent processes that end right after their last model call. Each runs in a child process against the
// SDK bundled as published (one CJS file), and the fake ingest API must have the event.

// esbuild as tsup (the SDK's bundler) resolves it: it is tsup's dependency, not one of ours.
const esbuild = createRequire(require.resolve('tsup'))('esbuild') as typeof Esbuild;

describe('delivery when the process exits', () => {
  let dir: string;
  let bundle: string;
  let ingest: FakeIngest;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-sdk-exit-'));
    bundle = join(dir, 'sdk.cjs');
    esbuild.buildSync({
      entryPoints: [join(__dirname, '..', 'index.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: bundle,
    });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    ingest = await new FakeIngest().start();
  });

  afterEach(() => ingest.close());

  function runAgent(name: string, body: string): Promise<{ code: number | null; stderr: string }> {
    const script = join(dir, `${name}.cjs`);
    writeFileSync(
      script,
      `const { Tollgate } = require(${JSON.stringify(bundle)});
const tollgate = new Tollgate({ apiKey: 'tg_ingest_test', baseUrl: process.env.INGEST_URL, customer: 'exit-test', retryBaseMs: 20 });
const call = { provider: 'openai', model: 'gpt-4o-mini', usage: { input_tokens: 12, output_tokens: 4 } };
${body}
`,
    );
    return new Promise((resolve) => {
      execFile(process.execPath, [script], { env: { ...process.env, INGEST_URL: ingest.url }, timeout: 20_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
  }

  it('a script whose last line tracks a call still delivers it (beforeExit)', async () => {
    const { code, stderr } = await runAgent('natural', `tollgate.track({ ...call, transactionId: 'last-call' });`);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect([...ingest.stored.keys()]).toEqual(['last-call']);
  });

  it('keeps the process alive through retries when the API answers 503 first', async () => {
    ingest.script.push({ status: 503, headers: { 'retry-after': '0' } }, { status: 503 });
    const { code } = await runAgent('retrying', `tollgate.track({ ...call, transactionId: 'retried-call' });`);
    expect(code).toBe(0);
    expect(ingest.sentIds()).toEqual(['retried-call', 'retried-call', 'retried-call']);
    expect([...ingest.stored.keys()]).toEqual(['retried-call']);
  });

  it('process.exit() right after the call still delivers it (synchronous send on exit)', async () => {
    const { code } = await runAgent('hard-exit', `tollgate.track({ ...call, transactionId: 'exit-call' });\nprocess.exit(3);`);
    expect(code).toBe(3);
    expect([...ingest.stored.keys()]).toEqual(['exit-call']);
  });

  it('process.exit() while a batch is in flight sends it again: the copy is a duplicate, not a second event', async () => {
    ingest.delayMs = 300;
    const { code } = await runAgent(
      'in-flight',
      `tollgate.track({ ...call, transactionId: 'in-flight-call' });
tollgate.flush();
setTimeout(() => process.exit(0), 50);`,
    );
    expect(code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(ingest.sentIds()).toEqual(['in-flight-call', 'in-flight-call']);
    expect([...ingest.stored.keys()]).toEqual(['in-flight-call']);
  });
});
