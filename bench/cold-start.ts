// Cold start to the first 200 from /healthz, and the resident memory once ready, for each role
// built as production runs it (`node dist/main.js`), against a bare node:http server started the
// same way, in the same run. The roles run on the emulators (listener, worker) and a local
// PostgreSQL (api), like Cloud Run. BENCH_COLD_DIST runs an already built dist/ (e.g. of another
// commit) instead of building this tree; BENCH_COLD_ROLES=listener,worker limits the roles.
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmulator } from '../test/support/emulators.js';
import { startPostgres } from '../test/support/postgres-server.js';
import { aFreePort } from '../test/support/ports.js';
import { deployedNodeOptions, PROJECT_ROOT, percentileOf, ratio, writeResult } from './support.js';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
// Each role starts with the NODE_OPTIONS its service is deployed with. BENCH_COLD_NODE_OPTIONS: V8 or
// Node flags for every start instead (an A/B of runtime settings; printed, not recorded).
const NODE_OPTIONS = process.env.BENCH_COLD_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_COLD_NODE_OPTIONS } : {};

interface Start {
  ms: number;
  /** Resident set size once /healthz answered 200, in MB (Linux /proc). */
  rssMb: number;
}

async function residentMb(pid: number): Promise<number> {
  const kb = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 102.4) / 10;
}

async function timeToHealthy(script: string, env: Record<string, string>, args: string[] = []): Promise<Start> {
  const port = await aFreePort();
  const started = performance.now();
  const child = spawn(process.execPath, [script, ...args], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', METADATA_SERVER_DETECTION: 'none', HOST: '127.0.0.1', PORT: String(port), ...env, ...NODE_OPTIONS }, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
      if (ok) {
        const ms = performance.now() - started;
        // Settle a moment first: what a ready instance holds, not what start-up allocated in passing.
        await new Promise((resolve) => setTimeout(resolve, 500));
        return { ms, rssMb: await residentMb(child.pid!) };
      }
      if (performance.now() - started > 30_000) throw new Error(`${script} not healthy within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

/** `beforeEach` runs before every start (a first start removes the data directory the one before created). */
async function median(script: string, env: Record<string, string>, beforeEach?: () => Promise<void>, args?: string[]): Promise<{ p50Ms: number; minMs: number; rssP50Mb: number }> {
  const starts: Start[] = [];
  for (let i = 0; i < RUNS; i++) {
    await beforeEach?.();
    starts.push(await timeToHealthy(script, env, args));
  }
  const times = starts.map((start) => start.ms).sort((a, b) => a - b);
  const rss = starts.map((start) => start.rssMb).sort((a, b) => a - b);
  return { p50Ms: Math.round(percentileOf(times, 50)), minMs: Math.round(times[0]!), rssP50Mb: percentileOf(rss, 50) };
}

/**
 * Packages the design fixes, alone and as each role needs them (the bare server's start after
 * importing them): no role can start faster than its own.
 */
const SHARED = ['hono', 'winston', 'zod', 'inversify'];
const MIKRO_ORM = ['@mikro-orm/postgresql', '@mikro-orm/migrations'];
const [WEBHOOK, WORKER, API] = ['cloudbuild.webhook.yaml', 'cloudbuild.worker.yaml', 'cloudbuild.api.yaml'] as const;
/** Each floor's packages, started with the NODE_OPTIONS of the service (its cloudbuild file) that loads them. */
const FLOORS: Record<string, { specifiers: string[]; service: Parameters<typeof deployedNodeOptions>[0] }> = {
  '@google-cloud/pubsub': { specifiers: ['@google-cloud/pubsub'], service: WEBHOOK },
  '@google-cloud/logging-winston': { specifiers: ['@google-cloud/logging-winston'], service: WEBHOOK },
  listener: { specifiers: ['@google-cloud/pubsub', '@google-cloud/logging-winston', ...SHARED], service: WEBHOOK },
  worker: { specifiers: ['@google-cloud/pubsub', '@google-cloud/firestore', '@google-cloud/logging-winston', 'openai', ...SHARED], service: WORKER },
  '@mikro-orm/postgresql': { specifiers: MIKRO_ORM, service: API },
  api: { specifiers: ['@google-cloud/pubsub', '@google-cloud/firestore', '@google-cloud/logging-winston', ...MIKRO_ORM, ...SHARED], service: API },
};

async function sequence<T, R>(items: T[], each: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const item of items) results.push(await each(item));
  return results;
}

const ROLES = process.env.BENCH_COLD_ROLES?.split(',');
const measured = (role: string) => !ROLES || ROLES.includes(role.split(' ')[0]!);

export async function benchColdStart(): Promise<Record<string, unknown>> {
  const prebuilt = process.env.BENCH_COLD_DIST;
  const dist = prebuilt ?? join(PROJECT_ROOT, '.tmp', `bench-dist-${randomUUID().slice(0, 8)}`);
  if (!prebuilt) await promisify(execFile)(process.execPath, [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dist], { cwd: PROJECT_ROOT });
  // As the image does (Dockerfile): V8's compiled code for every module, left at build time.
  const compileCache = { NODE_COMPILE_CACHE: join(dist, '.compile-cache') };
  await promisify(execFile)(process.execPath, [join(dist, 'warm-compile-cache.js')], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', METADATA_SERVER_DETECTION: 'none', ...compileCache } });
  const project = `demo-cold-${randomUUID().slice(0, 8)}`;
  const [pubsub, firestore, postgres] = await Promise.all([startEmulator('pubsub', project), startEmulator('firestore', project), startPostgres()]);
  const cloud = { PUSH_AUTH: 'none', PROJECT_ID: project, PUBSUB_EMULATOR_HOST: pubsub.host, FIRESTORE_EMULATOR_HOST: firestore.host };
  const secrets = { WHATSAPP_APP_SECRET: 'cold-start-app-secret', WHATSAPP_VERIFY_TOKEN: 'cold-start-verify' };
  try {
    const main = join(dist, 'main.js');
    const baseline = await median('bench/servers/bare-health.mjs', {});
    // The floor the fixed SDKs set: the bare server after importing only what a role cannot do
    // without (its clients and its logger), with the same compile cache and flags.
    const floors = Object.fromEntries(
      await sequence(Object.entries(FLOORS), async ([name, { specifiers, service }]) => {
        const start = await median('bench/servers/bare-health-importing.mjs', { ...compileCache, ...deployedNodeOptions(service) }, undefined, specifiers);
        return [name, { specifiers, ...start, ratio: ratio(baseline.p50Ms, start.p50Ms) }] as const;
      }),
    );
    const envs: Record<string, Record<string, string>> = {
      listener: { ROLE: 'listener', ...cloud, ...secrets, ...deployedNodeOptions(WEBHOOK) },
      worker: { ROLE: 'worker', AI_PROVIDER: 'scripted', ...cloud, ...deployedNodeOptions(WORKER) },
      api: { ROLE: 'api', ...cloud, DATABASE_URL: postgres.url, ...deployedNodeOptions(API) },
      // The api role without DATABASE_URL: embedded PGlite, created (initdb and migrations) at a first start.
      'api (PGlite, first start)': { ROLE: 'api', ...cloud, DATA_DIR: join(dist, 'api-data') },
      'api (PGlite, restart)': { ROLE: 'api', ...cloud, DATA_DIR: join(dist, 'api-data') },
      'all (embedded PGlite)': { ROLE: 'all', DATA_DIR: join(dist, 'data') },
    };
    const firstStart = (role: string) => (role.endsWith('first start)') ? () => rm(join(dist, 'api-data'), { recursive: true, force: true }) : undefined);
    const roles: Record<string, Awaited<ReturnType<typeof median>>> = {};
    const uncached: Record<string, Awaited<ReturnType<typeof median>>> = {};
    for (const [role, env] of Object.entries(envs)) {
      if (!measured(role)) continue;
      roles[role] = await median(main, { ...env, ...compileCache }, firstStart(role));
      uncached[role] = await median(main, env, firstStart(role));
    }
    const result = {
      runs: RUNS,
      baseline: { name: 'node:http server (bare)', ...baseline },
      floors,
      roles: Object.fromEntries(Object.entries(roles).map(([role, r]) => [role, { ...r, ratio: ratio(baseline.p50Ms, r.p50Ms), nodeOptions: NODE_OPTIONS.NODE_OPTIONS ?? envs[role]!.NODE_OPTIONS ?? null }])),
      withoutCompileCache: Object.fromEntries(Object.entries(uncached).map(([role, r]) => [role, { ...r, ratio: ratio(baseline.p50Ms, r.p50Ms) }])),
      note: 'ratio = bare p50 / role p50 (1.0 would be as fast as an empty server); rssP50Mb = resident memory 0.5 s after the first 200; roles run with the compile cache the image carries (NODE_COMPILE_CACHE, warmed at build), withoutCompileCache for comparison',
    };
    // A partial run or another tree's build is printed, not recorded as this tree's result.
    if (prebuilt || ROLES || process.env.BENCH_COLD_NODE_OPTIONS) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else await writeResult('cold-start', 'npm run bench (bench/cold-start.ts)', result);
    return result;
  } finally {
    await Promise.all([pubsub.stop(), firestore.stop(), postgres.stop()]);
    if (!prebuilt) await rm(dist, { recursive: true, force: true });
    else await Promise.all(['data', 'api-data'].map((dir) => rm(join(dist, dir), { recursive: true, force: true })));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchColdStart();
