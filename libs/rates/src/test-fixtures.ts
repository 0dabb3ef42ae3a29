import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads a file of libs/rates/fixtures (the project's own copies; tests never read ../shared). */
export function readFixture(path: string): unknown {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', path), 'utf8'));
}

export const OPENROUTER_FIXTURE = 'openrouter-models-2026-08-01.json';
export const LITELLM_FIXTURE = 'litellm-model-prices-2026-08-01.json';
