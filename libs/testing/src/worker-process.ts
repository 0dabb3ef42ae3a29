import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed, for a failing test's message. */
  output(): string;
  /** SIGKILL: no shutdown hooks, a batch in flight is cut off mid-transaction. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once it has exited and its output is complete. */
  exited(): Promise<void>;
}

/** The real worker (apps/worker/src/main.ts) as a child process, so a test can kill -9 it. */
export function startWorker(env: Record<string, string>): WorkerProcess {
  return startAppProcess('worker', env);
}

/** apps/<app>/src/main.ts as a child process, run from the TypeScript sources. */
export function startAppProcess(app: 'api' | 'worker', env: Record<string, string>): WorkerProcess {
  let out = '';
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'tools/ts-register.js'), path.join(ROOT, `apps/${app}/src/main.ts`)], {
    cwd: ROOT,
    // Its metrics on a port the OS gives: test processes run side by side.
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      RATE_SOURCES: 'none',
      WORKER_METRICS_PORT: '0',
      TOLLGATE_SECRET: 'tollgate-process-test-secret-0123456789abcdef',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // 'close', not 'exit': it comes after the child's stdout and stderr are drained, so output() is complete.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    child,
    output: () => out,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    exited: () => exited,
  };
}

/** A TCP port that was free a moment ago (the OS picked it), for a child process to listen on. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `check` until it returns true or the time is up. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
