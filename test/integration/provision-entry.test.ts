import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPubSub } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { readCompose, serviceEnvironment } from '../support/compose-file.js';

// compose.yaml's `provision` service runs the image's `node dist/provision.js`: the same entry
// (src/provision.ts) is run here as a process, with that service's environment, against the run's
// Pub/Sub emulator. Only the emulator address and the names (isolated per run) differ.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const project = inject('emulatorProject');
const emulatorHost = inject('pubsubEmulatorHost');
const pubsub = createPubSub(project, { apiEndpoint: emulatorHost });
afterAll(() => pubsub.close());

describe('provision entry (compose.yaml provision service)', () => {
  it('creates push subscriptions to the worker and api services when run with the service environment', async () => {
    const id = randomUUID().slice(0, 8);
    const shell = { PUBSUB_TOPIC: `entry-${id}-in`, PUBSUB_INTERACTIONS_TOPIC: `entry-${id}-ix` };
    const composeEnv = serviceEnvironment(readCompose(`${ROOT}compose.yaml`, shell).services['provision']!, shell);
    const env = { ...composeEnv, PATH: process.env['PATH'] ?? '/usr/bin:/bin', PROJECT_ID: project, PUBSUB_EMULATOR_HOST: emulatorHost, PUBSUB_SUBSCRIPTION: `entry-${id}-worker` };

    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/provision.ts'], { cwd: ROOT, env, timeout: 60_000 });

    expect(stdout).toContain(`subscription entry-${id}-worker: created (push to http://worker:8080/pubsub/push)`);
    const [worker] = await pubsub.subscription(`entry-${id}-worker`).getMetadata();
    expect(worker.pushConfig?.pushEndpoint).toBe('http://worker:8080/pubsub/push');
    const [api] = await pubsub.subscription(`entry-${id}-ix-api`).getMetadata();
    expect(api.pushConfig?.pushEndpoint).toBe('http://api:8080/internal/pubsub/interactions');
    const [deadLetters] = await pubsub.subscription(`entry-${id}-in-dead-letter-push`).getMetadata();
    expect(deadLetters.pushConfig?.pushEndpoint).toBe('http://api:8080/internal/pubsub/dead-letters');
  });

  it('fails with its usage and exit code 2 without PROJECT_ID', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/provision.ts'], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, timeout: 60_000 });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage: PROJECT_ID=') });
  });
});
