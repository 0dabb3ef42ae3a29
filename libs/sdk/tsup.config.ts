import { defineConfig } from 'tsup';

// ESM + CJS with type declarations; provider SDKs stay external (optional peers, type-only imports).
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { composite: false } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  tsconfig: 'tsconfig.json',
});
