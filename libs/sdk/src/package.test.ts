import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The published package as users get it: tsup's ESM and CJS builds with types, loading no provider SDK
// and no server dependency.
const SDK = path.resolve(__dirname, '..');
let out: string;

beforeAll(() => {
  out = mkdtempSync(path.join(tmpdir(), 'tollgate-sdk-'));
  execFileSync(process.execPath, [require.resolve('tsup/dist/cli-default.js'), '--out-dir', out], { cwd: SDK, stdio: 'pipe' });
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('builds ESM, CJS and type declarations', () => {
  expect(readdirSync(out)).toEqual(expect.arrayContaining(['index.js', 'index.mjs', 'index.d.ts', 'index.d.mts']));
});

it('loads from CommonJS and from ESM with the same API', async () => {
  const cjs = JSON.parse(
    execFileSync(process.execPath, [
      '-e',
      `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(path.join(out, 'index.js'))})).sort()))`,
    ]).toString(),
  );
  const esm = JSON.parse(
    execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify('file://' + path.join(out, 'index.mjs'))}); console.log(JSON.stringify(Object.keys(m).sort()))`,
    ]).toString(),
  );
  expect(cjs).toEqual(esm);
  expect(cjs).toEqual(
    expect.arrayContaining([
      'Tollgate',
      'BudgetExceededError',
      'wrapOpenAI',
      'wrapAnthropic',
      'wrapBedrock',
      'wrapMistral',
      'wrapGoogleGenAI',
      'tollgateMiddleware',
      'tollgateCallbacks',
    ]),
  );
});

it('requires nothing but Node built-ins at run time', () => {
  const code = readFileSync(path.join(out, 'index.js'), 'utf8');
  const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  for (const r of required) expect(r).toMatch(/^(node:)?(async_hooks|child_process|crypto|os|path|fs|url|util|events|process)$/);
});
