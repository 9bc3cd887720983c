import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { createPubSub } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { apiSubscriptionOf, planFrom, provision } from '../../src/adapters/pubsub/provision.js';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import { aFreshDatabase } from '../support/databases.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { aFreePort } from '../support/ports.js';
import { startRoleProcess, type RoleProcess } from '../support/role-process.js';
import { metaJson, metaSignature } from '../support/signing.js';
import { aWamid, someParties, textNotification, type WhatsAppParties } from '../support/whatsapp-notifications.js';

// Burst coalescing where it is deployed: listener, worker (push) and api as three processes on
// the emulators, on the worker subscription exactly as `provision()` plans it. A person who sends
// three short messages within COALESCE_WINDOW_MS gets one reply that answers all three; messages
// further apart are answered one by one, in order.

const project = inject('emulatorProject');
const pubsubHost = inject('pubsubEmulatorHost');
const WINDOW_MS = 3_000;
const SETTLE_MS = 40_000;
const ANALYTICS_SETTLE_MS = 120_000;
// Three processes compile and start at once on a shared machine.
const READY_MS = 90_000;

const run = randomUUID().slice(0, 8);
const names = { inbound: `burst-${run}-in`, interactions: `burst-${run}-ix`, worker: `burst-${run}-worker`, api: `burst-${run}-api` };
const secrets = { appSecret: randomBytes(16).toString('hex'), verifyToken: `verify-${randomUUID()}`, apiKey: `vk_${randomBytes(24).toString('base64url')}` };

const graph = new GraphApiDouble();
const pubsub = createPubSub(project, { apiEndpoint: pubsubHost });
const roles: Partial<Record<'listener' | 'worker' | 'api', RoleProcess>> = {};
let database: Awaited<ReturnType<typeof aFreshDatabase>>;

beforeAll(async () => {
  database = await aFreshDatabase('postgres');
  await graph.start();
  const [workerPort, apiPort] = [await aFreePort(), await aFreePort()];
  const plan = planFrom({
    PUBSUB_TOPIC: names.inbound,
    PUBSUB_INTERACTIONS_TOPIC: names.interactions,
    PUBSUB_SUBSCRIPTION: names.worker,
    WORKER_PUSH_ENDPOINT: `http://127.0.0.1:${workerPort}/pubsub/push`,
    API_PUSH_ENDPOINT: `http://127.0.0.1:${apiPort}/internal/pubsub/interactions`,
    COALESCE_WINDOW_MS: String(WINDOW_MS),
  });
  expect(plan.subscriptions.find((s) => s.name === names.worker)?.ordering).toBe(false);
  const renamed = plan.subscriptions.map((s) => (s.name === apiSubscriptionOf(s.topic) ? { ...s, name: names.api } : s));
  await provision(pubsub, { ...plan, subscriptions: renamed }, () => {});

  const common = { PROJECT_ID: project, PUBSUB_TOPIC: names.inbound, PUBSUB_INTERACTIONS_TOPIC: names.interactions, LOG_LEVEL: 'info' };
  const [listener, worker, api] = await Promise.all([
    startRoleProcess({ ...common, ROLE: 'listener', WHATSAPP_APP_SECRET: secrets.appSecret, WHATSAPP_VERIFY_TOKEN: secrets.verifyToken }, READY_MS),
    startRoleProcess({
      ...common,
      ROLE: 'worker',
      PORT: String(workerPort),
      WORKER_MODE: 'push',
      AI_PROVIDER: 'scripted',
      COALESCE_WINDOW_MS: String(WINDOW_MS),
      WHATSAPP_ACCESS_TOKEN: graph.accessToken,
      WHATSAPP_API_BASE_URL: graph.baseUrl,
    }, READY_MS),
    startRoleProcess({ ...common, ROLE: 'api', PORT: String(apiPort), BOOTSTRAP_API_KEY: secrets.apiKey, DATABASE_URL: database.url! }, READY_MS),
  ]);
  Object.assign(roles, { listener, worker, api });
}, 150_000);

afterAll(async () => {
  await Promise.all(Object.values(roles).map((role) => role.child.kill()));
  await Promise.allSettled([names.worker, names.api].map((name) => pubsub.subscription(name).delete()));
  await pubsub.close();
  await graph.stop();
  await database?.close();
}, 30_000);

function printLogs(): void {
  for (const [name, role] of Object.entries(roles)) {
    process.stderr.write(`\n===== ${name} stdout (tail) =====\n${role.child.stdout.split('\n').slice(-80).join('\n')}\n===== ${name} stderr =====\n${role.child.stderr}\n`);
  }
}

async function postFromMeta(parties: WhatsAppParties, body: string): Promise<string> {
  const id = aWamid();
  const raw = metaJson(textNotification(parties, { id, body }));
  const response = await fetch(`${roles.listener!.baseUrl}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, secrets.appSecret) },
    body: raw,
  });
  expect(response.status).toBe(200);
  return id;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const replyTexts = (parties: WhatsAppParties): string[] =>
  graph.sends.filter((r) => r.phoneNumberId === parties.phoneNumberId).map((r) => (r.body as { text: { body: string } }).text.body);

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, withinMs = SETTLE_MS): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`);
    await sleep(200);
  }
}

interface TranscriptEntry {
  id: string;
  state: string;
  text: string | null;
}

async function transcript(parties: WhatsAppParties): Promise<TranscriptEntry[]> {
  const conversationId = conversationIdFor('whatsapp', parties.phoneNumberId, parties.customer);
  const response = await fetch(`${roles.api!.baseUrl}/api/v1/conversations/${conversationId}/messages`, { headers: { authorization: `Bearer ${secrets.apiKey}` } });
  if (response.status !== 200) return [];
  return ((await response.json()) as { messages: TranscriptEntry[] }).messages;
}

/** True when `parts` appear in `text` in this order. */
const inOrder = (text: string, parts: string[]) => parts.every((part, i) => text.indexOf(part) >= 0 && (i === 0 || text.indexOf(part) > text.indexOf(parts[i - 1]!)));

/**
 * Pub/Sub push starts a subscription slowly (one message outstanding, more as pushes are acked),
 * and the emulator's first pushes lag by seconds: a few answered conversations first, so the
 * burst below meets a subscription in its steady state, as a deployment under traffic does.
 */
async function warmUp(): Promise<void> {
  const others = Array.from({ length: 4 }, () => someParties());
  await Promise.all(others.map((parties) => postFromMeta(parties, `warm-up ${randomUUID()}`)));
  await until('the warm-up replies', () => (others.every((parties) => replyTexts(parties).length === 1) ? true : undefined));
}

describe('burst coalescing in the cloud topology (listener, worker, api processes on the emulators)', { timeout: 200_000 }, () => {
  it('answers three messages sent within the window with one reply that answers all three, in order, none dropped', async () => {
    onTestFailed(printLogs);
    await warmUp();
    const parties = someParties();
    const texts = [`Hi ${randomUUID()}`, `I have a question ${randomUUID()}`, `about my order ${randomUUID()}`];

    const ids: string[] = [];
    for (const text of texts) ids.push(await postFromMeta(parties, text));

    const [reply] = await until('the reply reaches the Graph double', () => (replyTexts(parties).length > 0 ? replyTexts(parties) : undefined));
    expect(inOrder(reply!, texts), `the reply quotes all three in order: ${reply}`).toBe(true);
    const entries = await until('every message is settled in the transcript', async () => {
      const found = await transcript(parties);
      return found.length === 3 && found.every((entry) => ['sent', 'skipped'].includes(entry.state)) ? found : undefined;
    });
    // Settled (sent or skipped) is final: no later delivery of these messages sends anything.
    expect(replyTexts(parties)).toHaveLength(1);
    expect(entries.map((entry) => [entry.id, entry.state])).toEqual([
      [ids[0], 'sent'],
      [ids[1], 'skipped'],
      [ids[2], 'skipped'],
    ]);
    // Every message reaches the analytics too (the folded ones through their own redelivery).
    const conversationId = conversationIdFor('whatsapp', parties.phoneNumberId, parties.customer);
    const counted = await until('the api counts all three messages', async () => {
      const response = await fetch(`${roles.api!.baseUrl}/api/v1/conversations?limit=200`, { headers: { authorization: `Bearer ${secrets.apiKey}` } });
      const { items } = (await response.json()) as { items: { id: string; messagesIn: number; messagesOut: number }[] };
      const item = items.find((entry) => entry.id === conversationId);
      return item && item.messagesIn === 3 ? item : undefined;
      // A folded message is counted when its own nacked delivery comes back, after the emulator's
      // retry backoff (10 s, growing with each nack): up to two minutes on a busy machine (seen: > 40 s).
    }, ANALYTICS_SETTLE_MS);
    expect(counted).toMatchObject({ messagesIn: 3, messagesOut: 1 });
  });

  it('answers messages further apart than the window one by one, in arrival order', async () => {
    onTestFailed(printLogs);
    const parties = someParties();
    const texts = [`first ${randomUUID()}`, `second ${randomUUID()}`, `third ${randomUUID()}`];

    for (const [i, text] of texts.entries()) {
      if (i > 0) await sleep(WINDOW_MS + 400);
      await postFromMeta(parties, text);
    }

    const replies = await until('three replies reach the Graph double', () => (replyTexts(parties).length >= 3 ? replyTexts(parties) : undefined));
    // Every message sent is final: no later delivery of them sends anything more.
    await until('every message is sent in the transcript', async () => {
      const found = await transcript(parties);
      return found.length === 3 && found.every((entry) => entry.state === 'sent') ? found : undefined;
    });
    expect(replyTexts(parties)).toHaveLength(3);
    texts.forEach((text, i) => {
      expect(replies[i]).toContain(text);
      expect(texts.filter((other) => other !== text).some((other) => replies[i]!.includes(other))).toBe(false);
    });
  });
});
