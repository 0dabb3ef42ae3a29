import type { WireEvent } from '../types';

// On process 'exit' only synchronous code runs, so pending events are handed to a short-lived child
// process that POSTs them while this one waits (spawnSync). Events already in flight are sent again:
// their transaction ids make the second copy a `duplicate`, never a second charge.
const CHILD_SCRIPT = `
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', async () => {
  const { url, apiKey, batches, deadline } = JSON.parse(input);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const failed = [];
  for (const [index, events] of batches.entries()) {
    let delivered = false;
    for (let attempt = 0; !delivered && Date.now() < deadline; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: 'Bearer ' + apiKey, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
          signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
        });
        if (res.ok) { delivered = true; break; }
        if (res.status < 500 && res.status !== 429 && res.status !== 408) break;
        const after = Number(res.headers.get('retry-after'));
        await sleep(Math.min(Number.isFinite(after) && after > 0 ? after * 1000 : 100 * 2 ** attempt, deadline - Date.now()));
      } catch {
        await sleep(Math.min(100 * 2 ** attempt, Math.max(0, deadline - Date.now())));
      }
    }
    if (!delivered) failed.push(index);
  }
  process.stdout.write(JSON.stringify(failed));
});
`;

interface ChildProcessModule {
  spawnSync(
    command: string,
    args: string[],
    options: { input: string; timeout: number; stdio: unknown[]; encoding: 'utf8'; env: Record<string, string | undefined> },
  ): { stdout: string | null; status: number | null };
}

/** Blocks up to timeoutMs; returns the indexes of the batches not confirmed delivered. */
export function deliverAtExit(eventsUrl: string, apiKey: string, batches: readonly (readonly WireEvent[])[], timeoutMs: number): number[] {
  const all = batches.map((_, index) => index);
  const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (batches.length === 0 || typeof getBuiltin !== 'function' || !process.execPath) return all;
  const childProcess = getBuiltin('node:child_process') as ChildProcessModule;
  const input = JSON.stringify({ url: eventsUrl, apiKey, batches, deadline: Date.now() + timeoutMs });
  const result = childProcess.spawnSync(process.execPath, ['-e', CHILD_SCRIPT], {
    input,
    timeout: timeoutMs + 1_000,
    stdio: ['pipe', 'pipe', 'ignore'],
    encoding: 'utf8',
    env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS },
  });
  try {
    const failed: unknown = JSON.parse(result.stdout ?? '');
    return result.status === 0 && Array.isArray(failed) ? (failed as number[]) : all;
  } catch {
    return all;
  }
}
