import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { DEAD_LETTER_PUSH_PATH } from '../../src/http/api/dead-letter-push-routes.js';
import { aMessage } from '../support/builders.js';
import type { Child } from '../support/child-process.js';
import { aFreePort } from '../support/ports.js';
import { aPushEnvelope } from '../support/pubsub-envelope.js';
import { spawnMain, startRoleProcess, type RoleProcess } from '../support/role-process.js';

// The api role as production starts it (`src/main.ts`, a process of its own, on the emulators):
// CONTRACT.md, PUSH_AUTH — a role that takes pushes verifies them or refuses to start, unless
// PUSH_AUTH=none is set explicitly, which is warned about at every start.

/** Embedded PGlite and tsx make a cold start slow on a busy machine. */
const READY_MS = 120_000;
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function aDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vocoeng-push-auth-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `src/main.ts` with exactly `env` (no PUSH_AUTH unless given), as an operator would start it. */
async function startApi(env: Record<string, string>): Promise<Child> {
  const child = spawnMain({
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      METADATA_SERVER_DETECTION: 'none',
      HOST: '127.0.0.1',
      PORT: String(await aFreePort()),
      PUBSUB_EMULATOR_HOST: inject('pubsubEmulatorHost'),
      FIRESTORE_EMULATOR_HOST: inject('firestoreEmulatorHost'),
      ROLE: 'api',
      PROJECT_ID: `demo-push-${randomUUID().slice(0, 8)}`,
      DATA_DIR: await aDataDir(),
      ...env,
  });
  cleanups.push(() => child.kill());
  return child;
}

const forgedDeadLetter = (role: RoleProcess) =>
  fetch(`${role.baseUrl}${DEAD_LETTER_PUSH_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(aPushEnvelope({ kind: 'message', message: aMessage({ text: 'Your code is 123456' }) }, { messageId: randomUUID() })),
  });

describe('the api role and PUSH_AUTH (process)', { timeout: 150_000 }, () => {
  it('refuses to start with one message naming PUSH_AUTH and both settings when PUSH_AUDIENCE and PUSH_SERVICE_ACCOUNT are unset', async () => {
    const child = await startApi({});

    const exit = await child.waitForExit(60_000);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(child.stderr).toMatch(/^Invalid configuration:\n {2}- PUSH_AUTH: .*PUSH_AUDIENCE.*PUSH_SERVICE_ACCOUNT.*PUSH_AUTH=none/m);
    expect(child.jsonLines.filter((line) => String(line.message).includes('ready on'))).toEqual([]);
  });

  it('refuses to start when PUSH_AUDIENCE is set without PUSH_SERVICE_ACCOUNT', async () => {
    const child = await startApi({ PUSH_AUDIENCE: 'https://vocoeng-api.example.run.app' });

    const exit = await child.waitForExit(60_000);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(child.stderr).toMatch(/^ {2}- PUSH_AUTH: .*missing PUSH_SERVICE_ACCOUNT/m);
  });

  it('accepts a forged unauthenticated push and warns about it at start when PUSH_AUTH=none is set explicitly', async () => {
    const role = await startRoleProcess({ ROLE: 'api', PROJECT_ID: `demo-push-${randomUUID().slice(0, 8)}`, DATA_DIR: await aDataDir(), PUSH_AUTH: 'none' }, READY_MS);
    cleanups.push(() => role.child.kill());

    const res = await forgedDeadLetter(role);

    expect(res.status).toBe(204);
    await role.child.waitForLine((line) => line.includes('PUSH_AUTH=none'), 5_000);
    expect(role.child.jsonLines).toContainEqual(expect.objectContaining({ severity: 'WARNING', message: expect.stringMatching(/^PUSH_AUTH=none: .*unauthenticated/) }));
  });

  it('answers 401 to the same forged push when OIDC is configured, and starts without that warning', async () => {
    const role = await startRoleProcess({
      ROLE: 'api',
      PROJECT_ID: `demo-push-${randomUUID().slice(0, 8)}`,
      DATA_DIR: await aDataDir(),
      PUSH_AUTH: 'oidc',
      PUSH_AUDIENCE: 'https://vocoeng-api.example.run.app',
      PUSH_SERVICE_ACCOUNT: 'vocoeng-pubsub-push@demo.iam.gserviceaccount.com',
    }, READY_MS);
    cleanups.push(() => role.child.kill());

    const res = await forgedDeadLetter(role);

    expect(res.status).toBe(401);
    expect(role.child.stdout).not.toContain('PUSH_AUTH=none');
  });
});
