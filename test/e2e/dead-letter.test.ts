import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { createPubSub, PubSubMessageBus } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { deadLetterPushSubscriptionOf, planFrom, provision, type ProvisionPlan } from '../../src/adapters/pubsub/provision.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import { aMessage } from '../support/builders.js';
import { Child } from '../support/child-process.js';
import { spawnMain } from '../support/role-process.js';
import { aFreshDatabase } from '../support/databases.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { OpenAiDouble } from '../support/openai-double.js';
import { aFreePort } from '../support/ports.js';

// A poison message end to end, as separate processes on the run's Pub/Sub and Firestore emulators:
// a WhatsApp voice note whose media the Graph API double refuses with 503 on every lookup makes the
// pull worker nack it on each of its 5 deliveries → Pub/Sub forwards it to the dead-letter topic →
// its push subscription (created by provision for the api) → the api role stores it in PostgreSQL →
// the CLI lists it → with the media served again, the CLI replays it → the worker answers it once.
// The emulator cannot dead-letter from an ordered subscription, so the worker subscription here is
// the planned one without ordering (production keeps ordering; real Pub/Sub dead-letters from it).

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const project = inject('emulatorProject');
const pubsubHost = inject('pubsubEmulatorHost');
const firestoreHost = inject('firestoreEmulatorHost');
const run = randomUUID().slice(0, 8);
const names = { inbound: `dl-${run}-in`, interactions: `dl-${run}-ix`, worker: `dl-${run}-worker` };
const firestoreProject = `dl-e2e-${run}`;
const MAX_ATTEMPTS = 5;
const WAIT_MS = 30_000;

const graph = new GraphApiDouble();
const openai = new OpenAiDouble();
const pubsub = createPubSub(project, { apiEndpoint: pubsubHost });
const children: Child[] = [];
let database: Awaited<ReturnType<typeof aFreshDatabase>>;
let plan: ProvisionPlan;
let worker: Child;
let api: Child;

const baseEnv = () => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  METADATA_SERVER_DETECTION: 'none',
  // The emulator pushes without an OIDC token.
  PUSH_AUTH: 'none',
  PROJECT_ID: project,
  PUBSUB_EMULATOR_HOST: pubsubHost,
  PUBSUB_TOPIC: names.inbound,
  PUBSUB_INTERACTIONS_TOPIC: names.interactions,
});

function spawnRole(env: Record<string, string>): Child {
  const child = spawnMain({ ...baseEnv(), HOST: '127.0.0.1', LOG_LEVEL: 'info', FIRESTORE_EMULATOR_HOST: firestoreHost, ...env });
  children.push(child);
  return child;
}

/** `npm run cli -- …` as an operator runs it: its own process, the api's database, Pub/Sub to replay. */
async function cli(...args: string[]): Promise<{ code: number | null; out: string }> {
  const child = new Child(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { ...baseEnv(), DATABASE_URL: database.url! }, projectRoot);
  const exit = await child.waitForExit(WAIT_MS);
  return { code: exit.code, out: child.stdout.trim() + child.stderr.trim() };
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const handled = (state: string) => worker.jsonLines.filter((line) => line.message === 'inbound event handled' && line.state === state);

function printLogs(): void {
  for (const [name, child] of [['worker', worker], ['api', api]] as const) {
    process.stderr.write(`\n===== ${name} stdout (tail) =====\n${child?.stdout.split('\n').slice(-80).join('\n')}\n===== ${name} stderr =====\n${child?.stderr}\n`);
  }
}

beforeAll(async () => {
  database = await aFreshDatabase('postgres');
  await Promise.all([graph.start(), openai.start()]);
  const [workerPort, apiPort] = await Promise.all([aFreePort(), aFreePort()]);
  const planned = planFrom({
    PUBSUB_TOPIC: names.inbound,
    PUBSUB_INTERACTIONS_TOPIC: names.interactions,
    PUBSUB_SUBSCRIPTION: names.worker,
    API_PUSH_ENDPOINT: `http://127.0.0.1:${apiPort}/internal/pubsub/interactions`,
  });
  // The emulator's limit (see above), and no retry backoff: a nack is redelivered at once.
  plan = { ...planned, subscriptions: planned.subscriptions.map((s) => (s.name === names.worker ? { ...s, ordering: false, retry: undefined } : s)) };
  await provision(pubsub, plan, () => {});

  worker = spawnRole({
    ROLE: 'worker',
    PORT: String(workerPort),
    WORKER_MODE: 'pull',
    // Nack at once: this test is about Pub/Sub's delivery attempts, not the worker's own retries.
    PULL_RETRY_WINDOW_MS: '0',
    PUBSUB_SUBSCRIPTION: names.worker,
    FIRESTORE_PROJECT: firestoreProject,
    WHATSAPP_ACCESS_TOKEN: graph.accessToken,
    WHATSAPP_API_BASE_URL: graph.baseUrl,
    OPENAI_BASE_URL: openai.baseUrl,
  });
  api = spawnRole({ ROLE: 'api', PORT: String(apiPort), DATABASE_URL: database.url!, FIRESTORE_PROJECT: firestoreProject });
  const ready = (line: string) => /"message":"VocoEng \w+ ready on /.test(line);
  await Promise.all([worker.waitForLine(ready, 30_000), api.waitForLine(ready, 30_000)]);
}, 60_000);

afterAll(async () => {
  await Promise.all(children.map(async (child) => {
    child.process.kill('SIGTERM');
    await child.waitForExit(10_000).catch(() => child.kill());
  }));
  // The emulator outlives this file: nothing may keep pushing to or pulling for ports that are gone.
  await Promise.allSettled(plan?.subscriptions.map((s) => pubsub.subscription(s.name).delete()) ?? []);
  await pubsub.close();
  await Promise.all([graph.stop(), openai.stop(), database?.close()]);
}, 40_000);

describe('a poison message', () => {
  it('is dead-lettered after 5 attempts, stored by the api, listed and replayed by the CLI, and answered exactly once', { timeout: 150_000 }, async () => {
    onTestFailed(printLogs);
    const phoneNumberId = `dl${Date.now()}`;
    const mediaId = `media-${randomUUID()}`;
    graph.addMedia(mediaId, randomBytes(2_048), 'audio/ogg; codecs=opus');
    // Every lookup of this voice note's media fails while it is poisoned: 503, which a redelivery might cure.
    graph.failNextMedia(MAX_ATTEMPTS, { status: 503, message: 'media store unavailable' }, 'media-info');
    const message: InboundMessage = aMessage({ accountId: phoneNumberId, content: { type: 'audio', voice: true, mediaId, mimeType: 'audio/ogg' } });
    const sends = () => graph.sends.filter((r) => r.phoneNumberId === phoneNumberId);

    const bus = new PubSubMessageBus(pubsub, { inbound: names.inbound, interactions: names.interactions });
    await bus.publish('inbound', [{ event: { kind: 'message', message }, orderingKey: message.conversationId }]);

    // Dead-lettered after the last attempt, then pushed to the api (the subscription provision made for it), which stores it.
    expect(plan.subscriptions.find((s) => s.name === deadLetterPushSubscriptionOf(names.inbound))?.delivery).toMatchObject({ mode: 'push' });
    const stored = await until('the api stores the dead letter', () => api.jsonLines.find((line) => line.message === 'dead letter stored'));
    expect(stored).toMatchObject({ topic: 'inbound', conversationId: message.conversationId, deliveryAttempts: MAX_ATTEMPTS });
    const lookups = graph.mediaRequests.filter((r) => r.mediaId === mediaId);
    expect(lookups.map((r) => r.outcome)).toEqual(Array.from({ length: MAX_ATTEMPTS }, () => ({ kind: 'error', status: 503, code: undefined })));
    expect(sends()).toEqual([]);
    expect(graph.readReceipts.filter((r) => r.phoneNumberId === phoneNumberId)).toHaveLength(1);
    expect(openai.requests).toEqual([]);
    expect(worker.jsonLines.filter((line) => line.message === 'pubsub message nacked for redelivery').map((line) => line.deliveryAttempt)).toEqual([1, 2, 3, 4, 5]);
    expect(api.stdout).not.toContain(mediaId);

    // The operator lists it: the inbound topic, 5 attempts, the conversation.
    const listed = await cli('dead-letters', 'list');
    expect(listed.code).toBe(0);
    const [row, ...others] = listed.out.split('\n');
    expect(others).toEqual([]);
    const [id, topic, , attempts, conversation, replayed] = row!.split('  ');
    expect([topic, attempts, conversation, replayed]).toEqual(['inbound', `attempts ${MAX_ATTEMPTS}`, message.conversationId, 'never replayed']);

    // The media is served again (the scripted failures are used up); the replay is answered once.
    const replay = await cli('dead-letters', 'replay', id!);
    expect(replay).toEqual({ code: 0, out: `replayed: ${id} published again to ${names.inbound} (replay 1)` });
    await until('the replayed message is answered', () => (handled('sent').length > 0 ? true : undefined));
    expect(sends()).toHaveLength(1);
    expect(sends()[0]!.outcome.kind).toBe('accepted');
    expect(openai.requests.map((r) => r.endpoint)).toEqual(['audio.transcriptions', 'chat.completions']);

    // Replaying again publishes nothing; a forced replay is published and handled, but the claim stops a second send.
    const again = await cli('dead-letters', 'replay', id!);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^already-replayed: /);
    const forced = await cli('dead-letters', 'replay', id!, '--force');
    expect(forced.out).toBe(`replayed: ${id} published again to ${names.inbound} (replay 2)`);
    await until('the forced replay is handled', () => (handled('sent').length > 1 ? true : undefined));
    expect(handled('sent').map((line) => line.firstDelivery)).toEqual([true, false]);
    expect(sends()).toHaveLength(1);
    expect(openai.requests).toHaveLength(2);

    const finalList = await cli('dead-letters', 'list');
    expect(finalList.out).toMatch(new RegExp(`^${id}  inbound  .*  replayed \\S+ \\(2x\\)$`));
    const deadLetteredAfter = Number(attempts!.split(' ')[1]);
    process.stdout.write(`dead letters: 1 poisoned, dead-lettered after ${deadLetteredAfter} attempts, replayed once (again: already-replayed; forced: no new send), ${sends().length} send\n`);
  });
});
