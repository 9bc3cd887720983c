// Worker throughput against its ceiling in the same run: C conversations of M messages each, a
// scripted model that takes L ms per answer. One message per conversation is worked on at a time
// (order is kept per conversation), so C in flight at best: the ceiling is C / L messages per
// second. Measured in process on the in-process bus and in-memory chat store, and again through
// the Pub/Sub and Firestore emulators (pull consumer, ordered subscription).
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { ScriptedCompletionModel } from '../src/adapters/scripted/scripted-completion-model.js';
import { createPubSub, PubSubMessageBus } from '../src/adapters/pubsub/pubsub-message-bus.js';
import { planFrom, provision } from '../src/adapters/pubsub/provision.js';
import { buildRole } from '../src/composition/role.js';
import { TOKENS } from '../src/composition/tokens.js';
import { loadConfig } from '../src/config/config.js';
import type { InboundEvent } from '../src/domain/model/events.js';
import type { MessageBus } from '../src/domain/ports/message-bus.js';
import { createLogger } from '../src/observability/logger.js';
import { aMessage } from '../test/support/builders.js';
import { startEmulator } from '../test/support/emulators.js';
import { RecordingReplyChannel } from '../test/support/recording-reply-channel.js';
import { ratio, writeResult } from './support.js';

const LATENCY_MS = Number(process.env.BENCH_MODEL_LATENCY_MS ?? 100);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 20);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10);
const TIMEOUT_MS = 120_000;

interface Run {
  messagesPerSecond: number;
  ceiling: number;
  ratio: number;
  seconds: number;
  orderKept: boolean;
  sends: number;
}

function theMessages(): { events: InboundEvent[]; order: Map<string, string[]> } {
  const order = new Map<string, string[]>();
  const events: InboundEvent[] = [];
  const start = Date.now();
  for (let c = 0; c < CONVERSATIONS; c++) {
    const participant = { id: `4917${String(c).padStart(8, '0')}${randomUUID().slice(0, 4).replace(/\D/g, '1')}`, name: 'Bench' };
    for (let m = 0; m < MESSAGES; m++) {
      const message = aMessage({ accountId: 'bench-phone', participant, receivedAt: start + m, sentAt: start + m, text: `message ${m}` });
      order.set(message.conversationId, [...(order.get(message.conversationId) ?? []), message.id]);
      events.push({ kind: 'message', message });
    }
  }
  return { events, order };
}

/** Publishes the events one by one (the bus keeps each conversation's order by its key) and waits for every answer. */
async function publishAndWait(bus: MessageBus, channel: RecordingReplyChannel, events: InboundEvent[]): Promise<void> {
  const target = channel.sent.length + events.length;
  const started = performance.now();
  for (const event of events) await bus.publish('inbound', [{ event, orderingKey: event.kind === 'message' ? event.message.conversationId : '' }]);
  while (channel.sent.length < target) {
    if (performance.now() - started > TIMEOUT_MS) throw new Error(`only ${channel.sent.length} of ${target} answered within ${TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function measure(bus: MessageBus, channel: RecordingReplyChannel, concurrency: number): Promise<Run> {
  // Warm-up (not measured): one conversation's worth of traffic opens streams and connections.
  await publishAndWait(bus, channel, theMessages().events.slice(0, MESSAGES));
  channel.sent.length = 0;
  const { events, order } = theMessages();
  const started = performance.now();
  await publishAndWait(bus, channel, events);
  const seconds = (performance.now() - started) / 1000;
  const answered = new Map<string, string[]>();
  for (const { reply } of channel.sent) answered.set(reply.inReplyTo.conversationId, [...(answered.get(reply.inReplyTo.conversationId) ?? []), reply.inReplyTo.id]);
  const orderKept = [...order].every(([conversation, ids]) => JSON.stringify(answered.get(conversation)) === JSON.stringify(ids));
  const messagesPerSecond = events.length / seconds;
  const ceiling = concurrency / (LATENCY_MS / 1000);
  return { messagesPerSecond: Math.round(messagesPerSecond), ceiling, ratio: ratio(messagesPerSecond, ceiling), seconds: Number(seconds.toFixed(2)), orderKept, sends: channel.sent.length };
}

const silent = () => (process.env.BENCH_DEBUG ? createLogger({ level: 'debug' }) : createLogger({ level: 'error', stream: new PassThrough() }));

async function inProcess(): Promise<Run> {
  const channel = new RecordingReplyChannel();
  const runtime = await buildRole(loadConfig({ ROLE: 'all', RATE_LIMIT_PER_MINUTE: '0' }), {
    logger: silent(),
    overrides: { [TOKENS.CompletionModel]: new ScriptedCompletionModel().slowBy(LATENCY_MS), [TOKENS.ReplyChannel]: channel },
  });
  try {
    return await measure(runtime.container.get(TOKENS.MessageBus), channel, CONVERSATIONS);
  } finally {
    await runtime.stop();
  }
}

async function throughEmulators(): Promise<Run & { flowControlMaxMessages: number }> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  const project = `demo-bench-${randomUUID().slice(0, 8)}`;
  const [pubsubEmulator, firestoreEmulator] = await Promise.all([startEmulator('pubsub', project), startEmulator('firestore', project)]);
  process.env.PUBSUB_EMULATOR_HOST = pubsubEmulator.host;
  process.env.FIRESTORE_EMULATOR_HOST = firestoreEmulator.host;
  const names = { PUBSUB_TOPIC: `bench-in-${project}`, PUBSUB_INTERACTIONS_TOPIC: `bench-ix-${project}`, PUBSUB_SUBSCRIPTION: `bench-in-${project}-worker` };
  const pubsub = createPubSub(project);
  try {
    await provision(pubsub, planFrom(names), () => undefined);
    const channel = new RecordingReplyChannel();
    const runtime = await buildRole(loadConfig({ ROLE: 'worker', PROJECT_ID: project, WORKER_MODE: 'pull', AI_PROVIDER: 'scripted', RATE_LIMIT_PER_MINUTE: '0', ...names }), {
      logger: silent(),
      overrides: { [TOKENS.CompletionModel]: new ScriptedCompletionModel().slowBy(LATENCY_MS), [TOKENS.ReplyChannel]: channel },
    });
    runtime.start();
    try {
      const publisher = new PubSubMessageBus(pubsub, { inbound: names.PUBSUB_TOPIC, interactions: names.PUBSUB_INTERACTIONS_TOPIC });
      // The pull consumer's flow control admits 10 messages at a time: that caps concurrency too.
      const run = await measure(publisher, channel, Math.min(CONVERSATIONS, 10));
      return { ...run, flowControlMaxMessages: 10 };
    } finally {
      await runtime.stop();
    }
  } finally {
    await pubsub.close();
    await Promise.all([pubsubEmulator.stop(), firestoreEmulator.stop()]);
  }
}

export async function benchWorker(): Promise<Record<string, unknown>> {
  const memory = await inProcess();
  const emulators = await throughEmulators();
  const result = {
    modelLatencyMs: LATENCY_MS,
    conversations: CONVERSATIONS,
    messagesPerConversation: MESSAGES,
    inProcess: memory,
    throughEmulators: emulators,
    goal: 'ratio >= 0.90 with order per conversation kept',
  };
  await writeResult('worker', 'npm run bench (bench/worker.ts)', result);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchWorker();
