// The production shape on one machine: the Pub/Sub and Firestore emulators, the topics and push
// subscriptions `npm run provision` would create, and the three Cloud Run roles as separate
// processes (listener, worker, api), each on its own port, with its log lines prefixed by its role.
//
//   npm run dev:cloud
//
// Ports: DEV_LISTENER_PORT (8080), DEV_WORKER_PORT (8081), DEV_API_PORT (8082); project:
// DEV_PROJECT_ID (vocoeng-local). The roles get WHATSAPP_*, API_WEBHOOK_SECRET, API_CALLBACK_SECRET, BOOTSTRAP_API_KEY,
// CALLBACK_ALLOWED_HOSTS, SYSTEM_PROMPT, FALLBACK_TEXT, MEDIA_REPLY_TEXT, ADMIN_*, LOG_LEVEL and the
// topic names and COALESCE_WINDOW_MS provisioning reads from this environment (dev-cloud-env.ts,
// shared with compose.yaml), nothing else: a PROJECT_ID or credentials of a real project in the shell
// never reach them. The worker answers with the scripted model. Ctrl-C (or SIGTERM) stops the roles,
// then the emulators; everything kept in the emulators is gone with them. When a role exits on its
// own, everything is stopped and the exit code is 1.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createPubSub } from '../src/adapters/pubsub/pubsub-message-bus.js';
import { planFrom, provision } from '../src/adapters/pubsub/provision.js';
import { startEmulator, type RunningEmulator } from '../test/support/emulators.js';
import { provisionSettings, roleSettings, ROLE_NAMES, type RoleName } from './dev-cloud-env.js';

const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  process.stderr.write(`dev:cloud needs Node 24 but this is Node ${process.versions.node}: run it with \`npm run dev:cloud\`.\n`);
  process.exit(1);
}

// Google clients in this process and its children must never probe the metadata server.
process.env.METADATA_SERVER_DETECTION = 'none';

const projectRoot = fileURLToPath(new URL('../', import.meta.url));
const env = process.env;
const projectId = env.DEV_PROJECT_ID || 'vocoeng-local';
const READY_MS = 30_000;
const STOP_MS = 10_000;

const ports: Record<RoleName, number> = {
  listener: portFrom('DEV_LISTENER_PORT', 8080),
  worker: portFrom('DEV_WORKER_PORT', 8081),
  api: portFrom('DEV_API_PORT', 8082),
};
const baseUrl = (role: RoleName) => `http://127.0.0.1:${ports[role]}`;

const emulators: RunningEmulator[] = [];
/** Set while the emulators start: a shutdown waits for it, so an emulator started meanwhile is stopped too. */
let emulatorsStarting: Promise<unknown> | undefined;
const children = new Map<RoleName, ChildProcess>();
let stopping: Promise<void> | undefined;

function log(line: string): void {
  process.stdout.write(`[dev:cloud] ${line}\n`);
}

function portFrom(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write(`${name} must be a port number 1–65535 (got "${raw}")\n`);
    process.exit(2);
  }
  return port;
}

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Problems found before anything starts: a wrong setup fails in a second, not after the emulators. */
async function preflight(): Promise<string[]> {
  const problems: string[] = [];
  if (!env.WHATSAPP_APP_SECRET && !env.API_WEBHOOK_SECRET) {
    problems.push('the listener needs WHATSAPP_APP_SECRET (with WHATSAPP_VERIFY_TOKEN) or API_WEBHOOK_SECRET; e.g.\n' +
      '    export WHATSAPP_APP_SECRET=local-app-secret WHATSAPP_VERIFY_TOKEN=local-verify-token BOOTSTRAP_API_KEY=local-bootstrap-key-0001');
  }
  if (env.API_WEBHOOK_SECRET && !env.API_CALLBACK_SECRET) {
    problems.push('the worker signs API-channel callbacks with their own key: with API_WEBHOOK_SECRET set API_CALLBACK_SECRET too (whsec_ + base64 of 24+ random bytes), e.g.\n' +
      '    export API_CALLBACK_SECRET=whsec_$(openssl rand -base64 32)');
  }
  if (new Set(Object.values(ports)).size !== ROLE_NAMES.length) problems.push(`the three roles need three different ports (got ${JSON.stringify(ports)})`);
  for (const role of ROLE_NAMES) {
    if (!(await isFree(ports[role]))) problems.push(`port ${ports[role]} (${role}) is in use; choose another with DEV_${role.toUpperCase()}_PORT`);
  }
  return problems;
}

function roleEnv(role: RoleName, hosts: { pubsub: string; firestore: string }): Record<string, string> {
  return {
    PATH: env.PATH ?? '/usr/bin:/bin',
    ...(env.HOME ? { HOME: env.HOME } : {}),
    ...(env.TZ ? { TZ: env.TZ } : {}),
    ...roleSettings(role, { port: ports[role], host: '127.0.0.1', projectId, pubsubHost: hosts.pubsub, firestoreHost: hosts.firestore }, env),
  };
}

/** Writes each complete line of `stream` with a prefix; a trailing partial line is flushed at the end. */
function prefixLines(stream: NodeJS.ReadableStream, prefix: string, out: NodeJS.WritableStream): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) out.write(`${prefix} ${line}\n`);
  });
  stream.on('end', () => {
    if (partial) out.write(`${prefix} ${partial}\n`);
  });
}

function spawnRole(role: RoleName, hosts: { pubsub: string; firestore: string }): ChildProcess {
  // Its own process group: a Ctrl-C in the terminal reaches this script only, which stops the roles in order.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: roleEnv(role, hosts),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${role.padEnd(8)}]`;
  prefixLines(child.stdout!, prefix, process.stdout);
  prefixLines(child.stderr!, prefix, process.stderr);
  child.once('exit', (code, signal) => {
    if (stopping) return;
    log(`${role} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything`);
    void shutdown(1);
  });
  children.set(role, child);
  return child;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** SIGTERM to the role's process group; SIGKILL when it is still there after STOP_MS. */
async function stopRole(role: RoleName, child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => {
      log(`${role} did not stop within ${STOP_MS / 1000} s; killing it`);
      signalGroup(child, 'SIGKILL');
    }, STOP_MS);
    await exited;
    clearTimeout(timer);
  }
  signalGroup(child, 'SIGKILL'); // anything the role left behind in its group
}

/** Roles first (they drain and close their clients against live emulators), then the emulators. */
function shutdown(code: number): Promise<void> {
  stopping ??= (async () => {
    if (children.size > 0) log('stopping the roles…');
    await Promise.all([...children].map(([role, child]) => stopRole(role, child)));
    await emulatorsStarting?.catch(() => undefined);
    if (emulators.length > 0) log('stopping the emulators…');
    await Promise.allSettled(emulators.map((emulator) => emulator.stop()));
    log('stopped');
    process.exit(code);
  })();
  return stopping;
}

async function waitForHealth(role: RoleName): Promise<void> {
  const deadline = Date.now() + READY_MS;
  const child = children.get(role)!;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${role} exited before it was ready`);
    const ok = await fetch(`${baseUrl(role)}/healthz`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${role} did not answer ${baseUrl(role)}/healthz within ${READY_MS / 1000} s`);
}

/** The parent pid, state and command line of `pid` from /proc; undefined when it is gone (or there is no /proc). */
function processInfo(pid: number): { ppid: number; state: string; command: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return state && Number.isInteger(Number(ppid)) ? { ppid: Number(ppid), state, command } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `kill <npm's pid>` reaches npm and its `sh -c`, which die without passing the signal on to tsx and
 * this script: the roles and the emulators would be left running. So the launchers (from tsx up to
 * and including npm) are watched, and when one of them is gone everything is stopped.
 */
function watchLaunchers(): void {
  const chain: number[] = [];
  let npmFound = false;
  for (let pid = process.ppid; pid > 1 && chain.length < 6 && !npmFound; ) {
    const info = processInfo(pid);
    if (!info) break;
    chain.push(pid);
    npmFound = /(^|[/ ])npm(-cli\.js)?( |$)/.test(info.command);
    pid = info.ppid;
  }
  // Without npm in the chain (e.g. `npx tsx` from a script), only tsx's own process is watched:
  // a shell that exits (`nohup`) must not stop it.
  const launchers = npmFound ? chain : chain.slice(0, 1);
  const timer = setInterval(() => {
    // A launcher that exited but was not reaped yet is a zombie: gone as well.
    const gone = launchers.find((pid) => {
      const info = processInfo(pid);
      return info === undefined || info.state === 'Z';
    });
    if (gone === undefined) return;
    clearInterval(timer);
    log(`the launching process ${gone} is gone; stopping everything`);
    void shutdown(1);
  }, 1_000);
  timer.unref();
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));
  watchLaunchers();

  const problems = await preflight();
  if (problems.length > 0) {
    process.stderr.write(`dev:cloud cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(2);
  }

  log(`starting the Pub/Sub and Firestore emulators (project ${projectId})…`);
  const starting = Promise.allSettled([startEmulator('pubsub', projectId), startEmulator('firestore', projectId)]).then((results) => {
    for (const result of results) if (result.status === 'fulfilled') emulators.push(result.value);
    return results;
  });
  emulatorsStarting = starting;
  const started = await starting;
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  if (stopping) return;
  const [pubsubEmulator, firestoreEmulator] = emulators as [RunningEmulator, RunningEmulator];
  const hosts = { pubsub: pubsubEmulator.host, firestore: firestoreEmulator.host };
  log(`Pub/Sub emulator on ${hosts.pubsub}, Firestore emulator on ${hosts.firestore} (${pubsubEmulator.via})`);

  const pubsub = createPubSub(projectId, { apiEndpoint: hosts.pubsub });
  try {
    const plan = planFrom(provisionSettings(baseUrl, env));
    await provision(pubsub, plan, (line) => log(`provision: ${line}`));
  } finally {
    await pubsub.close();
  }
  if (stopping) return;

  for (const role of ROLE_NAMES) spawnRole(role, hosts);
  await Promise.all(ROLE_NAMES.map(waitForHealth));
  if (stopping) return;

  const lines = [
    '',
    'VocoEng runs in the Cloud Run shape (three processes, Pub/Sub and Firestore emulators):',
    `  listener  ${baseUrl('listener')}   POST /webhooks/whatsapp, POST /webhooks/api`,
    `  worker    ${baseUrl('worker')}   POST /pubsub/push (pushed by the emulator)`,
    `  api       ${baseUrl('api')}   GET /api/v1/analytics/summary, /api/v1/conversations`,
    `  health    ${ROLE_NAMES.map((role) => `${baseUrl(role)}/healthz`).join('  ')}`,
    `  emulators PUBSUB_EMULATOR_HOST=${hosts.pubsub} FIRESTORE_EMULATOR_HOST=${hosts.firestore} PROJECT_ID=${projectId}`,
    `  replies   ${env.WHATSAPP_ACCESS_TOKEN ? `sent to ${env.WHATSAPP_API_BASE_URL ?? 'https://graph.facebook.com'}` : 'stored as unsent (WHATSAPP_ACCESS_TOKEN is not set)'}`,
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`dev:cloud failed: ${error instanceof Error ? error.message : String(error)}\n`);
  void shutdown(1);
});
