// Worker throughput against its ceiling in the same run: C conversations of M messages each, a
// scripted model that takes L ms per answer. One message per conversation is worked on at a time
// (order is kept per conversation), so C in flight at best: the ceiling is C / L messages per
// second. Measured in process on the in-process bus and in-memory chat store, and again through
// the Pub/Sub and Firestore emulators (pull consumer, ordered subscription).
import { randomUUID } from 'node:crypto';
import { ScriptedCompletionModel } from '../src/adapters/scripted/scripted-completion-model.js';
import { createPubSub, PubSubMessageBus } from '../src/adapters/pubsub/pubsub-message-bus.js';
import { planFrom, provision } from '../src/adapters/pubsub/provision.js';
import { buildRole } from '../src/composition/role.js';
import { TOKENS } from '../src/composition/tokens.js';
import { loadConfig } from '../src/config/config.js';
import { startEmulator } from '../test/support/emulators.js';
import { RecordingReplyChannel } from '../test/support/recording-reply-channel.js';
import { firestoreCommitRate, orderedPullRate } from './emulator-ceilings.js';
import { countFirestoreOperations, perMessage, type FirestoreOperations } from './firestore-operations.js';
import { writeResult } from './support.js';
import { CONVERSATIONS, LATENCY_MS, measure, MESSAGES, publishAndWait, silent, theMessages, type Run } from './worker-load.js';

// Firestore's multi-region (nam5) list prices, USD per 100,000 documents (cloud.google.com/firestore/pricing).
const PRICES = { reads: 0.06, writes: 0.18, deletes: 0.02 };
const QUIET_MS = 1_500;
/** Handlers the pull worker runs at once (PULL_MAX_CONCURRENT). */
const HANDLERS = Number(process.env.BENCH_PULL_CONCURRENCY ?? 10);

/** Resolves once the Firestore client has sent nothing for QUIET_MS (the worker has settled), at most 60 s. */
async function quiet(rpcs: () => number): Promise<void> {
  const deadline = performance.now() + 60_000;
  let last = rpcs();
  let since = performance.now();
  while (performance.now() - since < QUIET_MS && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (rpcs() !== last) [last, since] = [rpcs(), performance.now()];
  }
}

const usdPerThousand = (each: FirestoreOperations) =>
  Number(((each.documentReads * PRICES.reads + each.documentWrites * PRICES.writes + each.documentDeletes * PRICES.deletes) / 100).toFixed(4));

/**
 * Firestore operations per answered message, and per redelivery of an answered message (the same
 * notifications published again: each must be recognised, never answered twice), on the worker
 * the emulators serve. Counted on a run of its own: counting logs every response.
 */
async function countOperations(publisher: PubSubMessageBus, channel: RecordingReplyChannel) {
  const counter = countFirestoreOperations();
  try {
    const { events } = theMessages();
    await publishAndWait(publisher, channel, events);
    await quiet(counter.rpcs);
    const answered = perMessage(counter.take(), events.length);
    for (const event of events) await publisher.publish('inbound', [{ event, orderingKey: event.kind === 'message' ? event.message.conversationId : '' }]);
    await quiet(counter.rpcs);
    const redelivered = perMessage(counter.take(), events.length);
    return {
      messages: events.length,
      prices: { ...PRICES, unit: 'USD per 100,000 documents, multi-region (nam5) list prices' },
      answered: { ...answered, usdPer1000Messages: usdPerThousand(answered) },
      redelivered: { ...redelivered, usdPer1000Messages: usdPerThousand(redelivered) },
    };
  } finally {
    counter.stop();
  }
}

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

async function throughEmulators() {
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
    const runtime = await buildRole(loadConfig({ ROLE: 'worker', PROJECT_ID: project, WORKER_MODE: 'pull', PULL_MAX_CONCURRENT: String(HANDLERS), AI_PROVIDER: 'scripted', RATE_LIMIT_PER_MINUTE: '0', ...names }), {
      logger: silent(),
      overrides: { [TOKENS.CompletionModel]: new ScriptedCompletionModel().slowBy(LATENCY_MS), [TOKENS.ReplyChannel]: channel },
    });
    runtime.start();
    try {
      const publisher = new PubSubMessageBus(pubsub, { inbound: names.PUBSUB_TOPIC, interactions: names.PUBSUB_INTERACTIONS_TOPIC });
      // The pull consumer runs HANDLERS handlers at once: that caps concurrency too.
      const run = await measure(publisher, channel, Math.min(CONVERSATIONS, HANDLERS));
      const firestorePerMessage = await countOperations(publisher, channel);
      return { ...run, handlersAtOnce: HANDLERS, firestorePerMessage, emulators: await emulatorCeilings(project, firestoreEmulator.host, pubsub, run, firestorePerMessage.answered) };
    } finally {
      await runtime.stop();
    }
  } finally {
    await pubsub.close();
    await Promise.all([pubsubEmulator.stop(), firestoreEmulator.stop()]);
  }
}

/**
 * The goal for the worker on the emulators: ≥ 0.7 × (the Firestore emulator's commit rate
 * at the worker's concurrency ÷ commits per answered message). The Pub/Sub emulator's own ordered
 * pull rate at a flow control of as many messages as the worker runs at once, with a handler that
 * only waits the model, is measured beside it.
 */
async function emulatorCeilings(project: string, firestoreHost: string, pubsub: ReturnType<typeof createPubSub>, run: Run, answered: FirestoreOperations) {
  const concurrency = Math.min(CONVERSATIONS, HANDLERS);
  const commitsPerSecond = await firestoreCommitRate(project, firestoreHost, concurrency);
  const commitsPerMessage = (answered.rpcs.commit ?? 0) + (answered.rpcs['refused commit'] ?? 0);
  const firestoreCeiling = Math.round(commitsPerSecond / commitsPerMessage);
  const pubsubPull = await orderedPullRate(pubsub, { keys: CONVERSATIONS, messages: 200, maxMessages: concurrency, handlerMs: LATENCY_MS });
  return {
    firestoreCommitsPerSecond: commitsPerSecond,
    commitsPerAnsweredMessage: commitsPerMessage,
    firestoreCeilingMessagesPerSecond: firestoreCeiling,
    ratioToFirestoreCeiling: Number((run.messagesPerSecond / firestoreCeiling).toFixed(3)),
    pubsubOrderedPullMessagesPerSecond: pubsubPull,
    ratioToPubsubPull: Number((run.messagesPerSecond / pubsubPull).toFixed(3)),
    goal: 'ratioToFirestoreCeiling >= 0.7',
  };
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
