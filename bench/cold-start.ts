// Cold start to the first 200 from /healthz, for each role built as production runs it
// (`node dist/main.js`), against a bare node:http server started the same way, in the same run.
// The roles run on the emulators (listener, worker) and a local PostgreSQL (api), like Cloud Run.
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmulator } from '../test/support/emulators.js';
import { startPostgres } from '../test/support/postgres-server.js';
import { aFreePort } from '../test/support/ports.js';
import { PROJECT_ROOT, percentileOf, ratio, writeResult } from './support.js';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);

async function timeToHealthy(script: string, env: Record<string, string>): Promise<number> {
  const port = await aFreePort();
  const started = performance.now();
  const child = spawn(process.execPath, [script], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', METADATA_SERVER_DETECTION: 'none', HOST: '127.0.0.1', PORT: String(port), ...env }, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
      if (ok) return performance.now() - started;
      if (performance.now() - started > 30_000) throw new Error(`${script} not healthy within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

async function median(script: string, env: Record<string, string>): Promise<{ p50Ms: number; minMs: number }> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await timeToHealthy(script, env));
  times.sort((a, b) => a - b);
  return { p50Ms: Math.round(percentileOf(times, 50)), minMs: Math.round(times[0]!) };
}

export async function benchColdStart(): Promise<Record<string, unknown>> {
  const dist = join(PROJECT_ROOT, '.tmp', `bench-dist-${randomUUID().slice(0, 8)}`);
  await promisify(execFile)(process.execPath, [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dist], { cwd: PROJECT_ROOT });
  const project = `demo-cold-${randomUUID().slice(0, 8)}`;
  const [pubsub, firestore, postgres] = await Promise.all([startEmulator('pubsub', project), startEmulator('firestore', project), startPostgres()]);
  const cloud = { PUSH_AUTH: 'none', PROJECT_ID: project, PUBSUB_EMULATOR_HOST: pubsub.host, FIRESTORE_EMULATOR_HOST: firestore.host };
  const secrets = { WHATSAPP_APP_SECRET: 'cold-start-app-secret', WHATSAPP_VERIFY_TOKEN: 'cold-start-verify' };
  try {
    const main = join(dist, 'main.js');
    const baseline = await median('bench/servers/bare-health.mjs', {});
    const roles = {
      listener: await median(main, { ROLE: 'listener', ...cloud, ...secrets }),
      worker: await median(main, { ROLE: 'worker', AI_PROVIDER: 'scripted', ...cloud }),
      api: await median(main, { ROLE: 'api', ...cloud, DATABASE_URL: postgres.url }),
      'all (embedded PGlite)': await median(main, { ROLE: 'all', DATA_DIR: join(dist, 'data') }),
    };
    const result = {
      runs: RUNS,
      baseline: { name: 'node:http server (bare)', ...baseline },
      roles: Object.fromEntries(Object.entries(roles).map(([role, r]) => [role, { ...r, ratio: ratio(baseline.p50Ms, r.p50Ms) }])),
      note: 'ratio = bare p50 / role p50 (1.0 would be as fast as an empty server)',
    };
    await writeResult('cold-start', 'npm run bench (bench/cold-start.ts)', result);
    return result;
  } finally {
    await Promise.all([pubsub.stop(), firestore.stop(), postgres.stop()]);
    await rm(dist, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchColdStart();
