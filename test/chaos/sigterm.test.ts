import { randomBytes, randomUUID } from 'node:crypto';
import type { PubSub } from '@google-cloud/pubsub';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createPubSub, PubSubMessageBus } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { planFrom, provision } from '../../src/adapters/pubsub/provision.js';
import { userKeyFor } from '../../src/domain/model/ids.js';
import type { MessageInteraction } from '../../src/domain/model/interaction.js';
import { aMessage } from '../support/builders.js';
import { aFreshDatabase } from '../support/databases.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { OpenAiDouble } from '../support/openai-double.js';
import { PublishedCounter } from '../support/published-counter.js';
import { aPushEnvelope, pushRequest } from '../support/pubsub-envelope.js';
import { startRoleProcess, type RoleProcess } from '../support/role-process.js';
import { signedNotificationLoad } from '../support/signed-load.js';

// SIGTERM while each role is busy: it stops taking work, finishes (or gives back) what is in
// flight and exits 0 within Cloud Run's 10 s; nothing it acknowledged is lost.
const roles: RoleProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(roles.splice(0).map((role) => role.child.kill()));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const aProject = () => `demo-term-${randomUUID().slice(0, 8)}`;
const until = async (what: string, done: () => boolean, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

async function terminate(role: RoleProcess): Promise<{ code: number | null; seconds: number }> {
  const started = performance.now();
  role.child.process.kill('SIGTERM');
  const exit = await role.child.waitForExit(10_000);
  return { code: exit.code, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) };
}

describe('SIGTERM during load', () => {
  it('lets the listener answer what it took, publish every notification it accepted, and exit 0 within 10 s', async () => {
    const project = aProject();
    const topic = `term-in-${project}`;
    const appSecret = randomBytes(16).toString('hex');
    const pubsub: PubSub = createPubSub(project, { apiEndpoint: inject('pubsubEmulatorHost') });
    cleanups.push(() => pubsub.close());
    await pubsub.createTopic(topic);
    const counter = new PublishedCounter(pubsub, topic, `${topic}-count`);
    await counter.start();
    cleanups.push(() => counter.stop());
    const listener = await startRoleProcess({ ROLE: 'listener', PROJECT_ID: project, PUBSUB_TOPIC: topic, WHATSAPP_APP_SECRET: appSecret, WHATSAPP_VERIFY_TOKEN: `verify-${randomUUID()}` });
    roles.push(listener);

    const load = signedNotificationLoad(listener.baseUrl, appSecret, { seconds: 6, connections: 20 });
    await until('the first notifications', () => counter.wamids.size >= 50);
    const exit = await terminate(listener);
    const outcome = await load;

    await counter.waitForAll(outcome.acceptedWamids, 60_000);
    const lost = [...outcome.acceptedWamids].filter((wamid) => !counter.wamids.has(wamid));
    console.log(`SIGTERM listener: exit ${exit.code} after ${exit.seconds} s; ${outcome.accepted} accepted during the run, ${lost.length} of them not published`);
    expect(exit.code).toBe(0);
    expect(outcome.accepted).toBeGreaterThan(0);
    expect(outcome.non2xx).toBe(0);
    expect(lost).toEqual([]);
  }, 120_000);

  it('lets the worker finish or give back its messages and exit 0 within 10 s; a new worker answers the rest exactly once', async () => {
    const project = aProject();
    const names = { PUBSUB_TOPIC: `term-in-${project}`, PUBSUB_INTERACTIONS_TOPIC: `term-ix-${project}`, PUBSUB_SUBSCRIPTION: `term-in-${project}-worker` };
    const pubsub = createPubSub(project, { apiEndpoint: inject('pubsubEmulatorHost') });
    cleanups.push(() => pubsub.close());
    await provision(pubsub, planFrom(names), () => undefined);
    const [openai, graph] = [new OpenAiDouble(), new GraphApiDouble()];
    await Promise.all([openai.start(), graph.start()]);
    cleanups.push(() => openai.stop(), () => graph.stop());
    openai.slowNext(1_000, 300);
    const env = {
      ROLE: 'worker',
      WORKER_MODE: 'pull',
      PROJECT_ID: project,
      ...names,
      OPENAI_BASE_URL: openai.baseUrl,
      OPENAI_API_KEY: 'sk-test-sigterm-0123456789',
      WHATSAPP_ACCESS_TOKEN: graph.accessToken,
      WHATSAPP_API_BASE_URL: graph.baseUrl,
    };
    const bus = new PubSubMessageBus(pubsub, { inbound: names.PUBSUB_TOPIC, interactions: names.PUBSUB_INTERACTIONS_TOPIC });
    const messages = Array.from({ length: 5 }, () => ({ id: `4917${randomBytes(4).readUInt32BE()}`, name: 'Ada' })).flatMap((participant) =>
      Array.from({ length: 4 }, (_, i) => aMessage({ participant, receivedAt: Date.now() + i, text: `question ${i} ${randomUUID()}` })),
    );
    for (const message of messages) await bus.publish('inbound', [{ event: { kind: 'message', message }, orderingKey: message.conversationId }]);

    const first = await startRoleProcess(env);
    roles.push(first);
    await graph.waitForSends(3, 60_000);
    const exit = await terminate(first);
    const answeredBefore = graph.sends.length;
    roles.push(await startRoleProcess(env));
    await until('every message answered', () => new Set(graph.sends.map((s) => (s.body as { context: { message_id: string } }).context.message_id)).size >= messages.length, 90_000);

    const sendsPerMessage = messages.map((m) => graph.sends.filter((s) => (s.body as { context: { message_id: string } }).context.message_id === m.id).length);
    console.log(`SIGTERM worker: exit ${exit.code} after ${exit.seconds} s with ${answeredBefore} of ${messages.length} answered; all answered after restart, ${sendsPerMessage.filter((n) => n > 1).length} twice`);
    expect(exit.code).toBe(0);
    expect(sendsPerMessage).toEqual(messages.map(() => 1));
  }, 180_000);

  it('lets the api finish its requests, keep every interaction it acknowledged, and exit 0 within 10 s', async () => {
    const database = await aFreshDatabase('postgres');
    cleanups.push(() => database.close());
    const api = await startRoleProcess({ ROLE: 'api', PROJECT_ID: aProject(), DATABASE_URL: database.url!, BOOTSTRAP_API_KEY: `vk_${randomBytes(24).toString('base64url')}` });
    roles.push(api);
    const acknowledged = new Set<string>();
    let stopping = false;
    const pusher = async () => {
      while (!stopping) {
        const event = anInteraction();
        const res = await fetch(`${api.baseUrl}/internal/pubsub/interactions`, pushRequest(aPushEnvelope(event))).catch(() => undefined);
        if (!res) return;
        if (res.status === 204) acknowledged.add(event.eventId);
      }
    };
    const pushers = Array.from({ length: 8 }, pusher);
    await until('the first interactions', () => acknowledged.size >= 50);
    const exit = await terminate(api);
    stopping = true;
    await Promise.all(pushers);

    const rows = await database.orm.em.fork().getConnection().execute<{ event_id: string }[]>('select event_id from interaction');
    const stored = new Set(rows.map((row) => row.event_id));
    const lost = [...acknowledged].filter((id) => !stored.has(id));
    console.log(`SIGTERM api: exit ${exit.code} after ${exit.seconds} s; ${acknowledged.size} interactions acknowledged, ${lost.length} of them missing`);
    expect(exit.code).toBe(0);
    expect(lost).toEqual([]);
  }, 120_000);
});

function anInteraction(): MessageInteraction {
  const participant = `4915${randomBytes(4).readUInt32BE()}`;
  const messageId = `wamid.${randomUUID()}`;
  const now = Date.now();
  return {
    type: 'message',
    eventId: `message:whatsapp:${messageId}`,
    occurredAt: now,
    channel: 'whatsapp',
    accountId: 'phone-1',
    conversationId: `c_${randomBytes(20).toString('hex')}`,
    userKey: userKeyFor('whatsapp', 'phone-1', participant),
    messageId,
    messageType: 'text',
    receivedAt: now - 1_000,
    outcome: 'sent',
    replyKind: 'ai',
    usage: { prompt: 10, completion: 5 },
    costUsd: 0.001,
    latencyMs: 1_000,
  };
}
