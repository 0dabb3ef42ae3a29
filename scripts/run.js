#!/usr/bin/env node
// Runs the built api and worker side by side (npm start), prefixing their output, and stops both
// when either exits or on Ctrl-C.
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
// Where the made keys and the demo's record live (TOLLGATE_DATA_DIR: tests use their own).
const dataDir = process.env.TOLLGATE_DATA_DIR || path.join(root, '.data');

// The first admin key: TOLLGATE_ADMIN_KEY if set, else one made on the first start and kept in
// .data/admin-key (mode 600) — never printed, never logged.
function adminKey() {
  if (process.env.TOLLGATE_ADMIN_KEY) return process.env.TOLLGATE_ADMIN_KEY;
  const file = path.join(dataDir, 'admin-key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // The format of the keys the api issues: tg_<scope>_<public id>_<secret>.
    fs.writeFileSync(file, `tg_admin_${crypto.randomBytes(6).toString('hex')}_${crypto.randomBytes(32).toString('base64url')}\n`, {
      mode: 0o600,
    });
    console.error(`tollgate: TOLLGATE_ADMIN_KEY is not set; made an admin key for a new database in ${path.relative(process.cwd(), file)}`);
  }
  return fs.readFileSync(file, 'utf8').trim();
}
// The server secret API keys are hashed with: TOLLGATE_SECRET if set, else one made on the first start and kept in
// .data/secret (mode 600). Losing it makes every stored key unusable: keep it with the database's backups.
function secret() {
  if (process.env.TOLLGATE_SECRET) return process.env.TOLLGATE_SECRET;
  const file = path.join(dataDir, 'secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${crypto.randomBytes(48).toString('base64url')}\n`, { mode: 0o600 });
    console.error(`tollgate: TOLLGATE_SECRET is not set; made one in ${path.relative(process.cwd(), file)}`);
  }
  return fs.readFileSync(file, 'utf8').trim();
}
const env = { ...process.env, TOLLGATE_ADMIN_KEY: adminKey(), TOLLGATE_SECRET: secret() };
const apps = {
  api: path.join(root, 'dist/apps/api/src/main.js'),
  worker: path.join(root, 'dist/apps/worker/src/main.js'),
};
const children = [];
let stopping = false;

function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 10_000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on('exit', r))))).then(() => process.exit(code));
}

/**
 * The api's young generation holds the event batches in flight (each parsed batch lives across its Postgres round
 * trips): at V8's default semi-space (16 MB) they are copied and promoted by every scavenge. 64 MB took 13% off the
 * api's CPU per event in bench:ingest (docs/performance.md), for at most about 100 MB more memory.
 */
const flags = { api: ['--max-semi-space-size=64'], worker: [] };

for (const [name, file] of Object.entries(apps)) {
  const child = spawn(process.execPath, ['--enable-source-maps', ...flags[name], file], { stdio: ['ignore', 'inherit', 'inherit'], env });
  child.on('exit', (code) => {
    if (!stopping) console.error(`tollgate ${name} exited with code ${code}; stopping`);
    stop(code ?? 1);
  });
  children.push(child);
}
// The demo (tools/demo): the first start on a new database seeds the `demo` organisation and prints where to
// look; later starts print fresh portal links. TOLLGATE_DEMO=0 turns it off. Its failure stops nothing.
if (process.env.TOLLGATE_DEMO !== '0') {
  const demo = spawn(process.execPath, ['--enable-source-maps', path.join(root, 'dist/tools/demo/main.js'), '--on-start'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env,
  });
  demo.on('exit', (code) => {
    if (code !== 0 && !stopping) console.error(`tollgate demo exited with code ${code}; the api and worker keep running`);
  });
  const stopDemo = () => demo.exitCode === null && demo.kill('SIGTERM');
  process.on('exit', stopDemo);
  process.on('SIGINT', stopDemo);
  process.on('SIGTERM', stopDemo);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
// `npm start` runs this under a shell that does not pass signals on: when npm is stopped (SIGTERM from a
// service manager, a container runtime or `timeout`), the shell dies and this process is handed to another
// parent. Stop then, rather than leave the api and worker running with nobody to stop them.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop(0);
}, 500).unref();
