import { spawn, type ChildProcess } from 'node:child_process';
import { containerRuntimeAnswers } from './container-runtime.js';
import { aFreePort } from './ports.js';

export interface RunningEmulator {
  /** `127.0.0.1:PORT`, the value of PUBSUB_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST. */
  host: string;
  /** How it runs: a testcontainers container or the locally installed gcloud emulator. */
  via: 'testcontainers' | 'gcloud';
  stop(): Promise<void>;
}

export type EmulatorKind = 'pubsub' | 'firestore';

const READY_TIMEOUT_MS = 60_000;

/**
 * Starts a Google emulator: with testcontainers' gcloud module where a container runtime answers
 * (probed with a 2 s limit: a socket that accepts and never answers hangs testcontainers), else
 * the locally installed gcloud emulator on a free loopback port, in its own process group.
 */
export async function startEmulator(kind: EmulatorKind, projectId: string): Promise<RunningEmulator> {
  if (await containerRuntimeAnswers()) return startInContainer(kind, projectId);
  return startWithGcloud(kind, projectId);
}

async function startInContainer(kind: EmulatorKind, projectId: string): Promise<RunningEmulator> {
  const gcloud = await import('@testcontainers/gcloud');
  const container =
    kind === 'pubsub'
      ? await new gcloud.PubSubEmulatorContainer('gcr.io/google.com/cloudsdktool/google-cloud-cli:emulators').withProjectId(projectId).start()
      : await new gcloud.FirestoreEmulatorContainer('gcr.io/google.com/cloudsdktool/google-cloud-cli:emulators').start();
  return { host: container.getEmulatorEndpoint(), via: 'testcontainers', stop: async () => void (await container.stop()) };
}

/** gcloud occasionally exits at start (a port taken meanwhile, a config lock): try a few times. */
async function startWithGcloud(kind: EmulatorKind, projectId: string): Promise<RunningEmulator> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startWithGcloudOnce(kind, projectId);
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  throw new Error(`${kind} emulator failed to start 3 times:\n${failures.join('\n---\n')}`);
}

async function startWithGcloudOnce(kind: EmulatorKind, projectId: string): Promise<RunningEmulator> {
  const port = await aFreePort();
  const host = `127.0.0.1:${port}`;
  const args =
    kind === 'pubsub'
      ? ['beta', 'emulators', 'pubsub', 'start', `--host-port=${host}`, `--project=${projectId}`]
      : ['emulators', 'firestore', 'start', `--host-port=${host}`];
  const child = spawn('gcloud', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  const stop = () => stopGroup(child);
  try {
    await waitUntilReady(`http://${host}/`, child);
  } catch (error) {
    await stop();
    throw new Error(`${kind} emulator did not start: ${(error as Error).message}\n${output}`);
  }
  return { host, via: 'gcloud', stop };
}

async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not ready within ${READY_TIMEOUT_MS} ms`);
}

/** gcloud starts Java children: stop the whole process group, then make sure it is gone. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // the group is already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  signal('SIGKILL');
}

/** Deletes every document of the Firestore emulator's default database for `projectId`. */
export async function wipeFirestore(host: string, projectId: string): Promise<void> {
  const response = await fetch(`http://${host}/emulator/v1/projects/${projectId}/databases/(default)/documents`, { method: 'DELETE' });
  if (!response.ok) throw new Error(`wiping the Firestore emulator failed: ${response.status}`);
}
