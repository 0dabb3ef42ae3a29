/** One Jest run for the whole monorepo: unit specs (`*.spec.ts`) and integration tests (`*.test.ts`, real Postgres and Redis) sit beside their code or in `test/` folders; the global setup migrates one template database per run. */
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
}];
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': swc },
  moduleNameMapper: {
    '^@tollgate/(config|money|pricing|rates|billing|db|sdk|stripe|testing)$': '<rootDir>/libs/$1/src',
    '^@tollgate/(config|money|pricing|rates|billing|db|sdk|stripe|testing)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/{apps,libs}/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // @mistralai/mistralai ships ES modules only: compiled to CommonJS like the sources.
  transformIgnorePatterns: ['/node_modules/(?!@mistralai/mistralai/)'],
  globalSetup: '<rootDir>/jest/global-setup.ts',
  globalTeardown: '<rootDir>/jest/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
