import { createInterface } from 'node:readline';

/**
 * A launcher's control channel: one command per stdin line, one answer line each on stdout; stdin closing
 * (the test process ended, however it ended) runs `close` and exits.
 */
export function serveCommands(handle: (line: string) => Promise<unknown>, close: () => Promise<void>): void {
  let queue = Promise.resolve();
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    queue = queue.then(async () => {
      try {
        process.stdout.write(JSON.stringify({ ok: true, result: (await handle(line.trim())) ?? null }) + '\n');
      } catch (error) {
        process.stdout.write(JSON.stringify({ ok: false, error: String(error) }) + '\n');
      }
    });
  });
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    void queue
      .then(close)
      .catch((error: unknown) => process.stderr.write(`launcher: ${String(error)}\n`))
      .finally(() => process.exit(0));
  };
  rl.on('close', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
