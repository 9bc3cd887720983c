import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { randomInt, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFirestore, FirestoreChatStore } from '../../src/adapters/firestore/firestore-chat-store.js';
import { deadLetterSubscriptionOf, planFrom, provision } from '../../src/adapters/pubsub/provision.js';
import { createPubSub, PubSubMessageBus } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import { isTerminal, type MessageRecord } from '../../src/domain/model/message-record.js';
import type { Child } from './child-process.js';
import { spawnMain } from './role-process.js';
import { GraphApiDouble } from './graph-api-double.js';
import { sensitive } from './log-sink.js';
import { OpenAiDouble } from './openai-double.js';
import { aFreePort } from './ports.js';
import { TcpProxy } from './tcp-proxy.js';

/** Where the run's emulators are (vitest `inject`). */
export interface Emulators {
  project: string;
  pubsubHost: string;
  firestoreHost: string;
}

// Three workers start at once in the outage test; on a loaded machine tsx needs more than 30 s for that.
const READY_MS = 60_000;
const POLL_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One worker process (ROLE=worker, WORKER_MODE=pull) with everything it talks to under the test's
 * control: its own OpenAI and Graph API doubles, a TCP proxy in front of the Firestore emulator
 * (the worker's FIRESTORE_EMULATOR_HOST) and one in front of the Graph API double (`graphProxy`), its own topics and subscription on the Pub/Sub emulator
 * and its own Firestore project, so rigs run side by side without sharing anything. Inbound
 * messages are published straight to its topic; `settle` waits until every one is finished.
 */
export class FaultRig {
  /** Each model answer echoes the message and names the request that made it (`… #index`). */
  readonly openai = new OpenAiDouble({ compose: (text, index) => `${text} #${index}` });
  readonly graph = new GraphApiDouble();
  readonly proxy: TcpProxy;
  private graphLink: TcpProxy | undefined;
  readonly store: FirestoreChatStore;
  /** Published inbound messages, in publish order. */
  readonly messages: InboundMessage[] = [];
  /** Inbound messages Pub/Sub gave up on (the dead-letter topic). */
  readonly deadLettered: string[] = [];
  readonly accountId = String(randomInt(100_000_000, 999_999_999));
  readonly firestoreProject = `demo-fault-${randomUUID().slice(0, 8)}`;
  worker: Child | undefined;
  private readonly pubsub: PubSub;
  private readonly bus: PubSubMessageBus;
  private readonly names;
  private deadLetterProbe: Subscription | undefined;
  private stopped = false;

  constructor(
    readonly label: string,
    private readonly emulators: Emulators,
  ) {
    const run = `fault-${randomUUID().slice(0, 8)}`;
    this.names = { inbound: `${run}-in`, interactions: `${run}-ix`, subscription: `${run}-worker` };
    this.proxy = TcpProxy.to(emulators.firestoreHost);
    this.pubsub = createPubSub(emulators.project, { apiEndpoint: emulators.pubsubHost });
    this.bus = new PubSubMessageBus(this.pubsub, { inbound: this.names.inbound, interactions: this.names.interactions });
    // The test reads what the worker stored directly from the emulator, not through the proxy.
    this.store = new FirestoreChatStore(createFirestore(this.firestoreProject, { emulatorHost: emulators.firestoreHost }));
  }

  /** Starts the doubles, the proxy and the worker, and resolves once the worker pulls. */
  async start(): Promise<this> {
    await Promise.all([this.openai.start(), this.graph.start(), this.proxy.start()]);
    this.graphLink = TcpProxy.to(new URL(this.graph.baseUrl).host);
    await this.graphLink.start();
    const env = { PUBSUB_TOPIC: this.names.inbound, PUBSUB_INTERACTIONS_TOPIC: this.names.interactions, PUBSUB_SUBSCRIPTION: this.names.subscription };
    await provision(this.pubsub, planFrom(env), () => {});
    this.deadLetterProbe = this.pubsub.subscription(deadLetterSubscriptionOf(this.names.inbound));
    this.deadLetterProbe.on('message', (message: Message) => {
      this.deadLettered.push(message.data.toString('utf8'));
      message.ack();
    });
    const port = await aFreePort();
    this.worker = spawnMain(
      {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        METADATA_SERVER_DETECTION: 'none',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
        ROLE: 'worker',
        WORKER_MODE: 'pull',
        PROJECT_ID: this.emulators.project,
        FIRESTORE_PROJECT: this.firestoreProject,
        PUBSUB_EMULATOR_HOST: this.emulators.pubsubHost,
        FIRESTORE_EMULATOR_HOST: this.proxy.host,
        ...env,
        AI_PROVIDER: 'openai',
        OPENAI_BASE_URL: this.openai.baseUrl,
        OPENAI_MODEL: 'gpt-4o-mini',
        WHATSAPP_ACCESS_TOKEN: this.graph.accessToken,
        WHATSAPP_API_BASE_URL: `http://${this.graphLink.host}`,
      },
    );
    await this.worker.waitForLine((line) => line.includes('"message":"pubsub pull consumer started"'), READY_MS);
    return this;
  }

  /**
   * Publishes `conversations` × `perConversation` text messages in rounds (one message of every
   * conversation per round, `gapMs` between rounds), the way a stream of people writes in.
   */
  async stream({ conversations, perConversation, gapMs }: { conversations: number; perConversation: number; gapMs: number }): Promise<void> {
    const people = Array.from({ length: conversations }, () => sensitive(`49${randomInt(100_000_000, 999_999_999)}`));
    for (let round = 0; round < perConversation; round++) {
      if (round > 0) await sleep(gapMs);
      await Promise.all(people.map((person, c) => this.publish(person, `${this.label} c${c} m${round} ${randomUUID().slice(0, 8)}`)));
    }
  }

  /**
   * Resolves once every published message is in a final state and its interaction recorded, as
   * the worker stored it (then nothing about it can change any more); rejects after `timeoutMs`
   * with the states seen.
   */
  async settle(timeoutMs: number): Promise<Map<string, MessageRecord>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const records = await this.records();
      const done = this.messages.every((m) => {
        const record = records.get(m.id);
        return record !== undefined && isTerminal(record.state) && record.recorded;
      });
      if (done) return records;
      if (Date.now() > deadline) {
        const states = this.messages.map((m) => records.get(m.id)?.state ?? 'missing');
        throw new Error(`${this.label}: not settled within ${timeoutMs} ms: ${JSON.stringify(count(states))}, dead-lettered ${this.deadLettered.length}`);
      }
      await sleep(POLL_MS);
    }
  }

  /**
   * The TCP proxy between the worker and the Graph API double. Its `outage('refuse')` is the Graph
   * outage a sender can tell apart from a lost answer (the connection is refused, nothing left), so
   * the worker retries those sends; faults after the request left (resets, drops) are the double's.
   */
  get graphProxy(): TcpProxy {
    if (!this.graphLink) throw new Error(`${this.label}: not started`);
    return this.graphLink;
  }

  /** Every stored record of the published messages, by message id, read from the emulator directly. */
  async records(): Promise<Map<string, MessageRecord>> {
    const conversations = [...new Set(this.messages.map((m) => m.conversationId))];
    const lists = await Promise.all(conversations.map((id) => this.store.messages(id, { limit: 100 })));
    return new Map(lists.flat().map((record) => [record.message.id, record]));
  }

  /** Where `stop` keeps the worker's output. */
  get logFile(): string {
    return join(tmpdir(), 'vocoeng-faults', `${this.label.replace(/[^\w]+/g, '-')}.log`);
  }

  /** Stops the worker (SIGTERM, then SIGKILL; its output goes to `logFile`), the doubles and the proxy, and removes the run's topics. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker && worker.process.exitCode === null && worker.process.signalCode === null) {
      worker.process.kill('SIGTERM');
      await worker.waitForExit(10_000).catch(() => worker.kill());
    }
    if (worker) {
      await mkdir(join(tmpdir(), 'vocoeng-faults'), { recursive: true });
      await writeFile(this.logFile, `${worker.stdout}\n----- stderr -----\n${worker.stderr}`);
    }
    await this.deadLetterProbe?.close().catch(() => undefined);
    const subscriptions = [this.names.subscription, `${this.names.interactions}-api`, deadLetterSubscriptionOf(this.names.inbound), deadLetterSubscriptionOf(this.names.interactions)];
    await Promise.allSettled(subscriptions.map((name) => this.pubsub.subscription(name).delete()));
    const topics = [this.names.inbound, this.names.interactions, `${this.names.inbound}-dead-letter`, `${this.names.interactions}-dead-letter`];
    await Promise.allSettled(topics.map((name) => this.pubsub.topic(name).delete()));
    await Promise.allSettled([this.bus.close(), this.store.close(), this.openai.stop(), this.graph.stop(), this.proxy.stop(), this.graphLink?.stop()]);
  }

  private async publish(participant: string, text: string): Promise<void> {
    const now = Date.now();
    const message: InboundMessage = {
      id: `wamid.${randomUUID()}`,
      channel: 'whatsapp',
      accountId: this.accountId,
      conversationId: conversationIdFor('whatsapp', this.accountId, participant),
      participant: { id: participant, name: 'Ada' },
      content: { type: 'text', body: sensitive(text) },
      sentAt: now,
      receivedAt: now,
    };
    this.messages.push(message);
    await this.bus.publish('inbound', [{ event: { kind: 'message', message }, orderingKey: message.conversationId }]);
  }
}

function count(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
