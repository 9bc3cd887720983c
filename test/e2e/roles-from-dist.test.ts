import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPubSub } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { planFrom, provision } from '../../src/adapters/pubsub/provision.js';
import { aFreshDatabase } from '../support/databases.js';
import { Child } from '../support/child-process.js';
import { aFreePort } from '../support/ports.js';
import { SecretManagerDouble } from '../support/secret-manager-double.js';

// Each Cloud Run role as production starts it (`node dist/main.js` with its ROLE) on the run's
// Pub/Sub and Firestore emulators: it reports its adapters, answers /healthz, exits 0 on SIGTERM.

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(projectRoot, '.tmp', `dist-roles-${randomUUID()}`);
const children: Child[] = [];
const doubles: SecretManagerDouble[] = [];
const project = inject('emulatorProject');
const emulators = { PUBSUB_EMULATOR_HOST: inject('pubsubEmulatorHost'), FIRESTORE_EMULATOR_HOST: inject('firestoreEmulatorHost') };

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [join(projectRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: projectRoot });
}, 60_000);

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.kill()));
  await Promise.all(doubles.splice(0).map((double) => double.stop()));
});

afterAll(() => rm(outDir, { recursive: true, force: true }));

async function startRole(env: Record<string, string>): Promise<{ child: Child; port: number }> {
  const port = await aFreePort();
  const child = new Child(
    process.execPath,
    [join(outDir, 'main.js')],
    { PATH: process.env.PATH ?? '/usr/bin:/bin', METADATA_SERVER_DETECTION: 'none', PORT: String(port), HOST: '127.0.0.1', PROJECT_ID: project, PUSH_AUTH: 'none', ...emulators, ...env },
    projectRoot,
  );
  children.push(child);
  return { child, port };
}

const readyLine = (line: string) => /"message":"VocoEng \w+ ready on /.test(line);

async function expectServesAndStops(child: Child, port: number, role: string): Promise<Record<string, unknown>> {
  const ready = JSON.parse(await child.waitForLine(readyLine, 20_000)) as { adapters: Record<string, unknown> };
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(await health.json()).toEqual({ status: 'ok', role });
  child.process.kill('SIGTERM');
  expect(await child.waitForExit(10_000)).toEqual({ code: 0, signal: null });
  expect(child.jsonLines.at(-1)?.message).toBe('stopped');
  return ready.adapters;
}

describe('dist/main.js in each Cloud Run role', () => {
  it.each([
    ['listener', { WHATSAPP_APP_SECRET: randomBytes(16).toString('hex'), WHATSAPP_VERIFY_TOKEN: `verify-${randomUUID()}` }],
    ['worker', { AI_PROVIDER: 'scripted' }],
    ['api', { BOOTSTRAP_API_KEY: `vk_${randomBytes(24).toString('base64url')}` }],
  ])('starts on Pub/Sub and Firestore, serves /healthz and exits 0 on SIGTERM when ROLE=%s', async (role, env) => {
    const database = role === 'api' ? await aFreshDatabase('postgres') : undefined;
    try {
      const { child, port } = await startRole({ ROLE: role, ...env, ...(database ? { DATABASE_URL: database.url! } : {}) });

      const adapters = await expectServesAndStops(child, port, role);

      expect(adapters).toMatchObject({ messageBus: 'PubSubMessageBus' });
      // The listener binds no chat store (it has no use for one); the worker and the api use Firestore.
      if (role === 'listener') expect(adapters).not.toHaveProperty('chatStore');
      else expect(adapters).toMatchObject({ chatStore: 'FirestoreChatStore' });
      if (database) expect(adapters).toMatchObject({ analyticsStore: 'PostgresAnalyticsStore' });
    } finally {
      await database?.close();
    }
  });

  it('consumes its subscription by streaming pull when ROLE=worker and WORKER_MODE=pull', async () => {
    const run = randomUUID().slice(0, 8);
    const names = { PUBSUB_TOPIC: `dist-in-${run}`, PUBSUB_INTERACTIONS_TOPIC: `dist-ix-${run}`, PUBSUB_SUBSCRIPTION: `dist-in-${run}-worker` };
    const pubsub = createPubSub(project, { apiEndpoint: emulators.PUBSUB_EMULATOR_HOST });
    await provision(pubsub, planFrom(names), () => {});
    await pubsub.close();
    const { child, port } = await startRole({ ROLE: 'worker', AI_PROVIDER: 'scripted', WORKER_MODE: 'pull', ...names });

    const adapters = await expectServesAndStops(child, port, 'worker');

    expect(adapters.workerIngress).toBe(`PubSubPullConsumer(${names.PUBSUB_SUBSCRIPTION}, 10 at once)`);
  });

  it('takes its channel secrets from Secret Manager when SECRET_MANAGER_SECRETS names them', async () => {
    const secretManager = new SecretManagerDouble(project);
    doubles.push(secretManager);
    const verifyToken = `verify-${randomUUID()}`;
    secretManager.set('whatsapp-app-secret', randomBytes(16).toString('hex'));
    secretManager.set('whatsapp-verify-token', verifyToken);
    const { apiEndpoint, port: smPort } = await secretManager.start();
    const { child, port } = await startRole({
      ROLE: 'listener',
      SECRET_MANAGER_SECRETS: 'whatsapp-app-secret,whatsapp-verify-token',
      SECRET_MANAGER_ENDPOINT: `${apiEndpoint}:${smPort}`,
    });
    await child.waitForLine(readyLine, 20_000);

    const handshake = await fetch(`http://127.0.0.1:${port}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=42`);

    expect(await handshake.text()).toBe('42');
    expect(child.stdout + child.stderr).not.toContain(verifyToken);
  });

  it('refuses to start, naming the secret, when a secret cannot be read', async () => {
    const secretManager = new SecretManagerDouble(project);
    doubles.push(secretManager);
    secretManager.set('whatsapp-app-secret', 'a-good-secret-value', { crc32c: 'corrupt' });
    const { apiEndpoint, port: smPort } = await secretManager.start();
    const { child } = await startRole({
      ROLE: 'listener',
      SECRET_MANAGER_SECRETS: 'whatsapp-app-secret,whatsapp-verify-token',
      SECRET_MANAGER_ENDPOINT: `${apiEndpoint}:${smPort}`,
    });

    expect((await child.waitForExit(20_000)).code).toBe(1);
    expect(child.stderr).toMatch(/Cannot read secrets: .*whatsapp-app-secret.*checksum/);
    expect(child.stderr).toMatch(/whatsapp-verify-token.*not found/);
    expect(child.stderr).not.toContain('a-good-secret-value');
    expect(child.stderr).not.toMatch(/\n\s+at /);
  });
});
