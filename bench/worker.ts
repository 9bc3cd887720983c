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
import { writeResult } from './support.js';
import { CONVERSATIONS, LATENCY_MS, measure, MESSAGES, silent, type Run } from './worker-load.js';

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
