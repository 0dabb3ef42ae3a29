import type { SnapshotFile } from './snapshot-file';

/**
 * The snapshot shipped with the code (built by `npm run rates:snapshot` from libs/rates/fixtures), so a
 * fresh install prices offline before its first sync. Loaded on first call only: it is a few MB of JSON.
 */
export function bundledSnapshot(): SnapshotFile[] {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return [
    require('../../snapshot/openrouter.json') as SnapshotFile,
    require('../../snapshot/bedrock.json') as SnapshotFile,
    require('../../snapshot/litellm.json') as SnapshotFile,
  ];
}
