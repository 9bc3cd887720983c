import type { PubSub } from '@google-cloud/pubsub';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createFirestore, FirestoreChatStore } from '../../src/adapters/firestore/firestore-chat-store.js';
import { PubSubMessageBus } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { apiSubscriptionOf, deadLetterSubscriptionOf, planFrom, provision } from '../../src/adapters/pubsub/provision.js';
import { parseWhatsAppNotification } from '../../src/adapters/whatsapp/whatsapp-notification.js';
import { toBusMessage } from '../../src/domain/use-cases/accept-whatsapp-notification.js';
import { isTerminal, type MessageRecord, type MessageState } from '../../src/domain/model/message-record.js';
import { aMessage } from './builders.js';
import { GraphApiDouble } from './graph-api-double.js';
import type { StatusEmitter } from './graph-status-webhooks.js';
import { OpenAiDouble } from './openai-double.js';
import { aFreePort } from './ports.js';
import type { EnqueuedMessage, QueueHistory } from './queue-checker.js';

/** Share of Graph requests that are accepted and then answered by a closed connection. */
const GRAPH_DROP_RATE = 0.1;

export interface CrashRunSetup {
  /** Client of the run's Pub/Sub emulator (shared by the runs of one file). */
  pubsub: PubSub;
  pubsubProject: string;
  pubsubHost: string;
  firestoreHost: string;
  conversations: number;
  messagesPerConversation: number;
}

/**
 * One crash scenario's world: its own topics and ordered push subscription, its own Firestore
 * project (the emulator isolates projects), its own OpenAI and Graph doubles, and the messages it
 * published. `history()` is what the queue checker needs; nothing here kills or starts workers.
 */
export class CrashRun {
  readonly openai = new OpenAiDouble();
  readonly graph = new GraphApiDouble();
  readonly enqueued: (EnqueuedMessage & { text: string })[] = [];
  readonly kills: string[] = [];
  /** When each kill was seen (epoch ms), in the order of `kills`: a second model call is attributed to the kill before it. */
  readonly killTimes: number[] = [];
  /** The worker's port: the subscription pushes there, and each replacement worker listens there again. */
  private port: number | undefined;
  readonly tag = randomUUID().slice(0, 8);
  readonly names = { inbound: `crash-${this.tag}-in`, interactions: `crash-${this.tag}-ix`, subscription: `crash-${this.tag}-worker` };
  readonly firestoreProject = `demo-crash-${this.tag}`;
  /** Every worker's output, appended when it exits (the file of the point's last run). */
  readonly logFile: string;
  protected readonly store: FirestoreChatStore;
  protected readonly conversationIds: string[] = [];
  private statuses: StatusEmitter | undefined;

  constructor(
    readonly label: string,
    protected readonly setup: CrashRunSetup,
  ) {
    this.store = new FirestoreChatStore(createFirestore(this.firestoreProject, { emulatorHost: setup.firestoreHost }));
    this.logFile = join(tmpdir(), 'vocoeng-crash', `${label}.log`);
  }

  async start(): Promise<void> {
    await Promise.all([this.openai.start(), this.graph.start(), mkdir(dirname(this.logFile), { recursive: true })]);
    // Besides the kills, Graph accepts some sends and drops the connection unanswered: the worker
    // must record those send-unknown (never resend) and the status webhook then settles them.
    this.graph.faults.dropRate(GRAPH_DROP_RATE);
    await writeFile(this.logFile, '');
    this.port = await aFreePort();
    const plan = planFrom({
      PUBSUB_TOPIC: this.names.inbound,
      PUBSUB_INTERACTIONS_TOPIC: this.names.interactions,
      PUBSUB_SUBSCRIPTION: this.names.subscription,
      WORKER_PUSH_ENDPOINT: `http://127.0.0.1:${this.port}/pubsub/push`,
    });
    // Without the dead-letter policy: the emulator neither dead-letters an ordered message after its
    // last attempt nor backs off between attempts (it retries a failed push every second), so a key
    // whose worker is restarting would stall for good after five attempts. Real Pub/Sub does both.
    const subscriptions = plan.subscriptions.map(({ deadLetter: _, ...subscription }) => subscription);
    await provision(this.setup.pubsub, { ...plan, subscriptions }, () => {});
    // Meta's status webhook for every accepted reply, parsed and published as the listener does:
    // it names our message (biz_opaque_callback_data), so it settles a reply whose sender died.
    const bus = new PubSubMessageBus(this.setup.pubsub, { inbound: this.names.inbound, interactions: this.names.interactions });
    this.statuses = this.graph.emitStatuses(async (notification) => {
      const { statuses } = parseWhatsAppNotification(notification, Date.now());
      await bus.publish('inbound', statuses.map((status) => toBusMessage({ kind: 'status', status })));
    });
  }

  /** Statuses emitted for accepted replies, and the emissions that failed. */
  get statusReport(): { emitted: number; failed: number; dropped: number } {
    return { emitted: this.statuses?.emitted ?? 0, failed: this.statuses?.errors.length ?? 0, dropped: this.graph.faults.counters.dropped };
  }

  /** The text of conversation c's message m (unique in the run: the model's requests are matched to messages by it). */
  protected messageText(c: number, m: number): string {
    return `crash ${this.tag} c${c} m${m}`;
  }

  /** The messages of every conversation, published in order on its ordering key like the listener does. */
  async publish(): Promise<void> {
    const bus = new PubSubMessageBus(this.setup.pubsub, { inbound: this.names.inbound, interactions: this.names.interactions });
    const base = Date.now();
    const batches = Array.from({ length: this.setup.conversations }, (_, c) => {
      const participant = { id: `4917${String(c).padStart(2, '0')}${Math.floor(Math.random() * 1e7)}`, name: `P${c}` };
      return Array.from({ length: this.setup.messagesPerConversation }, (_, m) => {
        const text = this.messageText(c, m);
        return aMessage({ accountId: `phone-${this.tag}`, participant, text, receivedAt: base + m, sentAt: base + m });
      });
    });
    for (const batch of batches) {
      this.conversationIds.push(batch[0]!.conversationId);
      for (const message of batch) {
        const text = message.content.type === 'text' ? message.content.body : '';
        this.enqueued.push({ messageId: message.id, conversationId: message.conversationId, text });
      }
    }
    // One publish per conversation: the bus resolves once every message is accepted, in key order.
    await Promise.all(batches.map((batch) => bus.publish('inbound', batch.map((message) => toBusMessage({ kind: 'message', message })))));
  }

  /** The environment of a push worker on this run's endpoint, topics, Firestore project and doubles. */
  workerEnv(): Record<string, string> {
    if (this.port === undefined) throw new Error('CrashRun is not started');
    return {
      ROLE: 'worker',
      WORKER_MODE: 'push',
      // The emulator pushes without an OIDC token.
      PUSH_AUTH: 'none',
      PROJECT_ID: this.setup.pubsubProject,
      FIRESTORE_PROJECT: this.firestoreProject,
      PUBSUB_EMULATOR_HOST: this.setup.pubsubHost,
      FIRESTORE_EMULATOR_HOST: this.setup.firestoreHost,
      PUBSUB_TOPIC: this.names.inbound,
      PUBSUB_INTERACTIONS_TOPIC: this.names.interactions,
      METADATA_SERVER_DETECTION: 'none',
      HOST: '127.0.0.1',
      PORT: String(this.port),
      OPENAI_BASE_URL: this.openai.baseUrl,
      OPENAI_API_KEY: `sk-test-${this.tag}`,
      WHATSAPP_ACCESS_TOKEN: this.graph.accessToken,
      WHATSAPP_API_BASE_URL: this.graph.baseUrl,
    };
  }

  /** A worker died at `point` (seen now). */
  killed(point: string): void {
    this.kills.push(point);
    this.killTimes.push(Date.now());
  }

  async records(): Promise<MessageRecord[]> {
    const limit = this.setup.messagesPerConversation + 10;
    return (await Promise.all(this.conversationIds.map((id) => this.store.messages(id, { limit })))).flat();
  }

  /**
   * True when every published message is stored in a terminal state (and, with `recorded`, its
   * interaction was published and every reply the double accepted is known to its record: by its
   * sender, or by the `sent` status that settled it after the sender died).
   */
  async settled(options: { recorded: boolean }): Promise<boolean> {
    const all = await this.records();
    const records = new Map(all.map((record) => [record.message.id, record]));
    const terminal = this.enqueued.every(({ messageId }) => {
      const record = records.get(messageId);
      return record !== undefined && isTerminal(record.state) && (!options.recorded || record.recorded);
    });
    if (!terminal || !options.recorded) return terminal;
    const known = new Set(all.flatMap((record) => record.outboundIds));
    return this.graph.sends.every((send) => send.outcome.kind !== 'accepted' || known.has(send.outcome.wamid));
  }

  async history(): Promise<QueueHistory> {
    const states: Record<string, MessageState> = {};
    const replyStoredAt: Record<string, number> = {};
    const resolved: string[] = [];
    for (const record of await this.records()) {
      states[record.message.id] = record.state;
      if (record.reply) replyStoredAt[record.message.id] = record.reply.createdAt;
      if (record.resolved) resolved.push(record.message.id);
    }
    const byText = new Map(this.enqueued.map((m) => [m.text, m.messageId]));
    const modelCalls: Record<string, number> = {};
    const modelCallTimes: Record<string, number[]> = {};
    for (const request of this.openai.chatRequests) {
      const messages = (request.body as { messages?: { role: string; content: string }[] } | undefined)?.messages ?? [];
      const messageId = byText.get(messages.filter((m) => m.role === 'user').at(-1)?.content ?? '');
      if (!messageId) continue;
      modelCalls[messageId] = (modelCalls[messageId] ?? 0) + 1;
      // The double's clock is this process's; the workers stamp replies with the same machine's epoch clock.
      (modelCallTimes[messageId] ??= []).push(performance.timeOrigin + request.arrivedAt);
    }
    const sends = this.graph.sends.map((send) => (send.body as { context?: { message_id?: string } } | undefined)?.context?.message_id ?? '(no context)');
    return { enqueued: this.enqueued, sends, states, modelCalls, modelCallTimes, replyStoredAt, resolved, kills: this.kills, killTimes: this.killTimes };
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.openai.stop(), this.graph.stop()]);
    // The emulator lives on for the rest of the run: nothing may keep pushing to a port that is gone.
    const subscriptions = [this.names.subscription, apiSubscriptionOf(this.names.interactions), deadLetterSubscriptionOf(this.names.inbound), deadLetterSubscriptionOf(this.names.interactions)];
    await Promise.allSettled(subscriptions.map((name) => this.setup.pubsub.subscription(name).delete()));
    await this.store.close();
  }
}
