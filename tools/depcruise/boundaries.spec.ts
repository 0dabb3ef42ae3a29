import { spawnSync } from 'node:child_process';
import path from 'node:path';

// Runs the real dependency-cruiser, with the repo's own rule files, on a fixture tree that breaks each rule once
// (tools/depcruise/fixture/README.md), and expects exactly those breaks: a rule that stops firing, or one that
// fires on an allowed import, fails here.
const root = path.resolve(__dirname, '../..');
const fixture = path.join(__dirname, 'fixture');
const boundaries = path.join(root, '.dependency-cruiser.cjs');
const libCycles = path.join(__dirname, 'lib-cycles.cjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

function cruise(config: string, ...dirs: string[]): string[] {
  const cli = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  const run = spawnSync(process.execPath, [cli, '--config', config, '--output-type', 'json', ...dirs], {
    cwd: fixture,
    encoding: 'utf8',
  });
  if (!run.stdout) throw new Error(`dependency-cruiser printed nothing: ${run.stderr}`);
  const { summary } = JSON.parse(run.stdout) as { summary: { violations: Violation[] } };
  return summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${packageName(v.to)}`).sort();
}

// `../../../node_modules/pg/esm/index.mjs` -> `pg`: the file a package resolves to is not the point.
function packageName(to: string): string {
  const inModules = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(to);
  return inModules ? inModules[1] : to;
}

function ruleNames(config: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { forbidden } = require(config) as { forbidden: { name: string }[] };
  return forbidden.map((r) => r.name);
}

describe('import boundaries', () => {
  const expected = [
    'app-to-lib-through-alias: apps/api/src/app-to-lib-through-alias.ts -> libs/db/src/index.ts',
    'app-to-lib-through-entry: apps/api/src/app-to-lib-through-entry.ts -> libs/db/src/queries.ts',
    'apps-not-to-each-other: apps/worker/src/apps-not-to-each-other.ts -> apps/api/src/create-api.ts',
    'lib-through-alias: libs/billing/src/lib-through-alias.ts -> libs/pricing/src/index.ts',
    'lib-through-entry: libs/billing/src/lib-through-entry.ts -> libs/pricing/src/tiers.ts',
    'libs-not-to-apps: libs/db/src/libs-not-to-apps.ts -> apps/api/src/create-api.ts',
    'money-is-pure: libs/money/src/money-is-pure.ts -> fs',
    'pricing-is-pure: libs/pricing/src/pricing-is-pure.lib.ts -> libs/db/src/index.ts',
    'pricing-is-pure: libs/pricing/src/pricing-is-pure.nest.ts -> @nestjs/common',
    'pricing-is-pure: libs/pricing/src/pricing-is-pure.pg.ts -> pg',
    'pure-specs-stay-pure: libs/pricing/src/pure-specs-stay-pure.spec.ts -> ioredis',
    'sdk-is-standalone: libs/sdk/src/sdk-is-standalone.lib.ts -> libs/money/src/index.ts',
    'sdk-is-standalone: libs/sdk/src/sdk-is-standalone.pg.ts -> pg',
    'stripe-only-in-libs-stripe: libs/billing/src/stripe-only-in-libs-stripe.ts -> stripe',
    'testing-only-in-tests: apps/worker/src/testing-only-in-tests.ts -> libs/testing/src/index.ts',
  ];

  it('reports each forbidden import in the fixture, and nothing the fixture allows', () => {
    expect(cruise(boundaries, 'apps', 'libs')).toEqual(expected);
  });

  it('reports a cycle between libs, and not the loop through test code', () => {
    expect(cruise(libCycles, 'libs')).toEqual([
      'no-circular-libs: libs/config/src -> libs/db/src',
      'no-circular-libs: libs/db/src -> libs/config/src',
    ]);
  });

  it('has a fixture for every rule', () => {
    const covered = new Set([...expected.map((line) => line.split(':')[0]), 'no-circular-libs']);
    expect([...ruleNames(boundaries), ...ruleNames(libCycles)].filter((name) => !covered.has(name))).toEqual([]);
  });
});
