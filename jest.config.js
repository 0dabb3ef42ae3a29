// Two projects (README "Development"): `unit` runs the `*.spec.ts` beside the code with no database and no global
// setup; `integration` runs the `*.test.ts` (beside the code or in `test/` folders) against the real Postgres and
// Redis, after its global setup migrates one template database per run that each test file clones.
// `npx jest --selectProjects unit -- <file>` runs one spec alone.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': swc },
  moduleNameMapper: {
    '^@tollgate/([a-z]+)$': '<rootDir>/libs/$1/src',
    '^@tollgate/([a-z]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/tools/depcruise/fixture/'],
  // @mistralai/mistralai ships ES modules only: compiled to CommonJS like the sources.
  transformIgnorePatterns: ['/node_modules/(?!@mistralai/mistralai/)'],
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.test.ts'],
      globalSetup: '<rootDir>/jest/global-setup.ts',
      globalTeardown: '<rootDir>/jest/global-teardown.ts',
    },
  ],
  // Global, not per project (Jest ignores a project's testTimeout): integration tests start real processes.
  testTimeout: 60000,
  maxWorkers: 2,
};
