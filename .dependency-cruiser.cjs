// Import boundaries between apps and libs (README "Development"). `npm run lint:deps` checks them in CI, with
// tools/depcruise/lib-cycles.cjs for cycles between libs; tools/depcruise/fixture breaks every rule once and
// tools/depcruise/boundaries.spec.ts proves each break is reported.
const sdkPackage = require('./libs/sdk/package.json');

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const inNodeModules = (names) => `(^|/)node_modules/(${names.map(escapeRegExp).join('|')})/`;

// What a published @tollgate/sdk may import besides node's own modules: its declared (peer) dependencies.
const sdkPackages = Object.keys({ ...sdkPackage.dependencies, ...sdkPackage.peerDependencies });

// A lib's public entries: its index, and libs/testing's harnesses (`@tollgate/testing/api-harness`, ...), which
// start the real api or billing module and are entries of their own so that `@tollgate/testing` stays light.
const LIB_ENTRY = '^libs/[^/]+/src/index\\.ts$|^libs/testing/src/[^/]+-harness\\.ts$';
const TEST_FILE = '\\.(spec|test)\\.ts$';
// The fixture breaks every rule on purpose; it is cruised on its own by the spec.
const EXCLUDE = '(^|/)(dist|coverage)/|^libs/db/src/generated/|^tools/depcruise/fixture/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'money-is-pure',
      comment: 'libs/money is pure arithmetic: decimal.js only; no framework, no IO, not even node built-ins.',
      severity: 'error',
      from: { path: '^libs/money/', pathNot: TEST_FILE },
      to: { pathNot: [`^libs/money/`, inNodeModules(['decimal.js'])] },
    },
    {
      name: 'pricing-is-pure',
      comment: 'libs/pricing is pure: @tollgate/money and decimal.js only; no framework, no IO, not even node built-ins.',
      severity: 'error',
      from: { path: '^libs/pricing/', pathNot: TEST_FILE },
      to: { pathNot: [`^libs/(pricing|money)/`, inNodeModules(['decimal.js'])] },
    },
    {
      name: 'pure-specs-stay-pure',
      comment: 'Specs of libs/money and libs/pricing may add fast-check (property tests), nothing with IO.',
      severity: 'error',
      from: { path: `^libs/(money|pricing)/.*${TEST_FILE}` },
      to: { pathNot: [`^libs/(pricing|money)/`, inNodeModules(['decimal.js', 'fast-check'])] },
    },
    {
      name: 'libs-not-to-apps',
      comment: 'Apps import libs, never the reverse (the api test harness is the one door: it starts the real api).',
      severity: 'error',
      from: { path: '^libs/', pathNot: '^libs/testing/src/api-harness\\.ts$' },
      to: { path: '^apps/' },
    },
    {
      name: 'lib-through-entry',
      comment: 'Another lib is imported through its entry (`@tollgate/<lib>`), never a file inside it.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/(?!$1/)[^/]+/', pathNot: LIB_ENTRY },
    },
    {
      name: 'lib-through-alias',
      comment: 'Another lib is imported as `@tollgate/<lib>`, never by a relative path (it breaks once the lib is built).',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/(?!$1/)', dependencyTypesNot: ['aliased'] },
    },
    {
      name: 'app-to-lib-through-entry',
      comment: 'Apps import a lib through its entry (`@tollgate/<lib>`), never a file inside it nor a relative path.',
      severity: 'error',
      from: { path: '^apps/' },
      to: { path: '^libs/', pathNot: LIB_ENTRY },
    },
    {
      name: 'app-to-lib-through-alias',
      comment: 'Apps import a lib as `@tollgate/<lib>`, never by a relative path.',
      severity: 'error',
      from: { path: '^apps/' },
      to: { path: '^libs/', dependencyTypesNot: ['aliased'] },
    },
    {
      name: 'apps-not-to-each-other',
      comment: 'The api and the worker share code through libs only.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/(?!$1/)' },
    },
    {
      name: 'stripe-only-in-libs-stripe',
      comment: 'The Stripe gateway (libs/stripe) is the only place that imports `stripe`.',
      severity: 'error',
      from: { pathNot: '^libs/stripe/' },
      to: { path: [inNodeModules(['stripe']), '^stripe(/|$)'] },
    },
    {
      name: 'sdk-is-standalone',
      comment:
        'The published @tollgate/sdk imports no other lib and no server package: node built-ins, its own files and ' +
        'the dependencies its package.json declares (its tests may use @tollgate/testing).',
      severity: 'error',
      from: { path: '^libs/sdk/src/', pathNot: TEST_FILE },
      to: { dependencyTypesNot: ['core'], pathNot: [`^libs/sdk/src/`, inNodeModules(sdkPackages)] },
    },
    {
      name: 'testing-only-in-tests',
      comment: 'libs/testing (databases, fake servers, the api harness) is for tests, benchmarks and the jest setup only.',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: [TEST_FILE, '^libs/testing/', '^libs/[^/]+/test/'] },
      to: { path: '^libs/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: EXCLUDE },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types'],
    },
    skipAnalysisNotInRules: true,
  },
};
