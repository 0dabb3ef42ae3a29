// One pair of process listeners for all clients (not one per client: no MaxListeners warnings).

interface ExitAware {
  onBeforeExit(): void;
  onExit(): void;
}

const clients = new Set<ExitAware>();
let installed = false;

function beforeExit(): void {
  for (const client of clients) client.onBeforeExit();
}

function exit(): void {
  for (const client of clients) client.onExit();
}

export function registerForExit(client: ExitAware): void {
  if (typeof process === 'undefined' || typeof process.on !== 'function') return;
  clients.add(client);
  if (installed) return;
  installed = true;
  // 'beforeExit': the event loop ran dry (a script's last line finished) and async work may still run.
  process.on('beforeExit', beforeExit);
  // 'exit': process.exit() or the end after beforeExit; only synchronous work happens here.
  process.on('exit', exit);
}

export function unregisterForExit(client: ExitAware): void {
  clients.delete(client);
  if (clients.size > 0 || !installed) return;
  installed = false;
  process.off('beforeExit', beforeExit);
  process.off('exit', exit);
}
