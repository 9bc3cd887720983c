import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, inject } from 'vitest';
import { openDatabase } from '../../src/adapters/postgres/database.js';
import type { Child } from './child-process.js';
import { spawnMain } from './role-process.js';

// Pieces of a deployed role on this machine: the process as the image starts it (with the test's
// trust in a local OIDC issuer), its readiness, and the Cloud SQL socket Cloud Run would mount.

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const certsHook = pathToFileURL(join(projectRoot, 'test/support/federated-certs-hook.ts')).href;

/** `src/main.ts` in a process of its own with exactly `env`, trusting the issuer whose keys `VOCOENG_TEST_FEDERATED_CERTS_URL` serves. */
export function startDeployedRole(env: Record<string, string>): Child {
  expect(env.VOCOENG_TEST_FEDERATED_CERTS_URL, 'the certificate hook needs the local issuer').toBeTruthy();
  return spawnMain(env, { imports: [certsHook] });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls GET /healthz (the contract's readiness signal) until it answers 200; fails at once when the process exits. */
export async function healthy(child: Child, baseUrl: string, timeoutMs: number): Promise<{ status: string; role: string }> {
  const deadline = Date.now() + timeoutMs;
  const output = () => `${child.stderr}\n${child.stdout.slice(-3000)}`;
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`${baseUrl} exited (${child.process.exitCode}):\n${output()}`);
    const answer = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
    if (answer?.status === 200) return (await answer.json()) as { status: string; role: string };
    if (Date.now() > deadline) throw new Error(`${baseUrl} not healthy within ${timeoutMs} ms:\n${output()}`);
    await sleep(250);
  }
}

/** Polls `probe` every 200 ms until it returns a value. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * Cloud Run mounts a Cloud SQL instance's socket at /cloudsql/INSTANCE/.s.PGSQL.5432; this makes
 * a directory of that shape under `dir` whose socket is a link to the run's PostgreSQL server's,
 * and returns what stands for /cloudsql.
 */
export async function cloudSqlMount(dir: string, instance: string): Promise<string> {
  const socketDir = inject('postgresSocketDir');
  expect(socketDir, 'the run must use the local PostgreSQL cluster, whose socket directory is known').not.toBe('');
  const root = join(dir, 'cloudsql');
  await mkdir(join(root, instance), { recursive: true });
  await symlink(join(socketDir, `.s.PGSQL.${inject('postgresPort')}`), join(root, instance, '.s.PGSQL.5432'));
  return root;
}

/** One statement on the run's PostgreSQL server, in its maintenance database or `database`. */
export async function onPostgres<Row = unknown>(sql: string, database = 'postgres'): Promise<Row[]> {
  const url = inject('postgresUrl').replace(/\/[^/]*$/, `/${database}`);
  const admin = await openDatabase({ url }, { migrate: false });
  try {
    return await admin.orm.em.fork().getConnection().execute<Row[]>(sql);
  } finally {
    await admin.close();
  }
}
