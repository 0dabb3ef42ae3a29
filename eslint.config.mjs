// ESLint (README "Development"): rules that catch bugs, not style (Prettier owns the layout). Typed rules use
// the TypeScript project service, so they see the same types as `npm run typecheck`.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    '**/dist/',
    '**/.venv/',
    'coverage/',
    '.data/',
    'libs/db/src/generated/',
    // Breaks the import-boundary rules on purpose (tools/depcruise/boundaries.spec.ts).
    'tools/depcruise/fixture/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Promises: a dropped one loses an error (or a write) silently.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // Types: `any` switches the checker off; rows and payloads get a declared type or `unknown`.
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Autofixed; with emitDecoratorMetadata the rule keeps the value imports Nest's injection needs.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      eqeqeq: ['error', 'smart'],
      'no-restricted-globals': [
        'error',
        { name: 'parseFloat', message: 'Prices and amounts are Decimal (@tollgate/money), never a float.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Number', property: 'parseFloat', message: 'Prices and amounts are Decimal (@tollgate/money), never a float.' },
        { object: 'jest', property: 'mock', message: 'Tests use the real parts or the fakes in libs/testing, never module mocks.' },
        { object: 'jest', property: 'doMock', message: 'Tests use the real parts or the fakes in libs/testing, never module mocks.' },
      ],
      // The type-aware rules below are right in principle but report untyped pg rows and Nest's own signatures
      // by the hundred; they are turned on where the code is typed (the pure libs, below).
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Its fixes drop the `!` written where an index may miss (noUncheckedIndexedAccess is off): intent, not noise.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Nest handlers and interface implementations are `async` without awaiting by design.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Pure libs: every value typed (specs aside: Jest's asymmetric matchers are typed `any`).
    files: ['libs/money/**/*.ts', 'libs/pricing/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
    },
  },
  {
    // Pure libs: no IO, so no environment and no network.
    files: ['libs/money/**/*.ts', 'libs/pricing/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'parseFloat', message: 'Prices and amounts are Decimal (@tollgate/money), never a float.' },
        { name: 'fetch', message: 'libs/money and libs/pricing are pure: IO belongs in a use case (libs/billing).' },
        { name: 'process', message: 'libs/money and libs/pricing are pure: configuration comes in as arguments.' },
      ],
    },
  },
  {
    // Plain node scripts and configs (CommonJS unless .mjs), outside the TypeScript project.
    files: ['**/*.{js,cjs,mjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node, sourceType: 'commonjs', parserOptions: { ecmaFeatures: { globalReturn: true } } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module' },
  },
);
