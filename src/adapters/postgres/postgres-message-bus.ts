import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { PublishError } from '../../domain/model/errors.js';
import type { BusMessage, MessageBus, TopicName, Topics } from '../../domain/ports/message-bus.js';
import { traceAttributes } from '../../observability/trace-context.js';
import type { Delivery, DeliveryHandler, SubscribeOptions } from '../bus-delivery.js';
import { OutboxConsumer } from './outbox-consumer.js';
import { countRows, insertEntries, type OutboxEntry } from './outbox-sql.js';
import { OutboxStatements, safeFailure } from './outbox-statements.js';
import { SerialBatches } from './serial-batches.js';

export interface PostgresBusOptions {
  /** After this many delivery attempts the message is dead-lettered (Pub/Sub's policy: 5). */
  maxDeliveryAttempts?: number;
  /** First redelivery delay after a nack; doubles per attempt up to `maxRedeliveryDelayMs`. */
  redeliveryDelayMs?: number;
  maxRedeliveryDelayMs?: number;
  /** Lease of a claimed delivery; renewed while its handler runs, so it only runs out when its process died. */
  ackDeadlineMs?: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /** Safety poll for rows this process was not told about (other publishers, backoffs that ran out, expired leases). */
  pollIntervalMs?: number;
  /** The database is owned by this process alone (embedded PGlite): leases left by a killed run are freed at start. */
  releaseLeasesAtStart?: boolean;
  onNack?: (topic: TopicName, delivery: Delivery<unknown>, error: unknown) => void;
  /** Awaited before the row is deleted, so a dead letter stored here survives a crash in between. */
  onDeadLetter?: (topic: TopicName, delivery: Delivery<unknown>, error: unknown) => void | Promise<void>;
  /** A background statement (claim, ack, nack, lease renewal) failed; it is retried or the row redelivered. */
  onError?: (operation: string, error: Error) => void;
}

export type ResolvedBusOptions = Required<Omit<PostgresBusOptions, 'onNack' | 'onDeadLetter' | 'onError'>> & PostgresBusOptions;

const DEFAULTS = {
  maxDeliveryAttempts: 5,
  redeliveryDelayMs: 100,
  maxRedeliveryDelayMs: 5_000,
  ackDeadlineMs: 30_000,
  concurrency: 64,
  pollIntervalMs: 1_000,
  releaseLeasesAtStart: false,
};
const MAX_ROWS_PER_INSERT = 500;

/**
 * The durable in-process bus: `publish` resolves once its events are rows of `message_outbox`
 * (one multi-row INSERT for the publishes that arrive together); the consumer claims rows with
 * `for update skip locked`, runs the handlers outside any transaction, and deletes a row on ack.
 * At-least-once, redelivered after a nack (backoff), a crash or a restart; a key's next message
 * waits for the one before it; dead-lettered after `maxDeliveryAttempts`. Ids are the row ids.
 */
export class PostgresMessageBus implements MessageBus {
  private readonly statements: OutboxStatements;
  private readonly consumer: OutboxConsumer;
  private readonly inserts: SerialBatches<OutboxEntry>;
  private closed = false;
  private readonly atPublish = new Map<TopicName, DeliveryHandler<unknown>>();

  constructor(orm: MikroORM, options: PostgresBusOptions = {}) {
    const resolved: ResolvedBusOptions = { ...DEFAULTS, ...options };
    this.statements = new OutboxStatements(orm);
    this.consumer = new OutboxConsumer(this.statements, resolved);
    this.inserts = new SerialBatches(async (entries) => {
      const rows = await this.statements.run<{ id: string }>(insertEntries(entries));
      this.consumer.published(rows.map((row) => row.id));
    }, MAX_ROWS_PER_INSERT);
  }

  subscribe<K extends TopicName>(topic: K, handler: DeliveryHandler<Topics[K]>, options: SubscribeOptions = {}): void {
    this.consumer.subscribe(topic, handler as DeliveryHandler<unknown>);
    if (options.atPublish) this.atPublish.set(topic, handler as DeliveryHandler<unknown>);
  }

  async publish<K extends TopicName>(topic: K, messages: BusMessage<Topics[K]>[]): Promise<void> {
    if (this.closed) throw new PublishError(`bus is closed; cannot publish to ${topic}`);
    if (messages.length === 0) return;
    const trace = traceAttributes();
    // Serialised now: the caller may mutate its objects once this returns.
    let entries = messages.map((message): OutboxEntry => ({
      topic,
      orderingKey: message.orderingKey || undefined,
      payload: JSON.stringify(message.event),
      attributes: JSON.stringify({ ...trace, ...message.attributes }),
    }));
    const handler = this.atPublish.get(topic);
    if (handler) entries = await refusedBy(handler, entries);
    if (entries.length === 0) return;
    try {
      await this.inserts.add(entries);
    } catch (error) {
      throw new PublishError(`publish to ${topic} failed: ${safeFailure(error)}`);
    }
  }

  /** Resolves once every message of a subscribed topic has been acked or dead-lettered. */
  async idle(): Promise<void> {
    for (;;) {
      const changed = this.consumer.nextChange();
      if (!this.inserts.busy && this.consumer.settledHere()) {
        const topics = this.consumer.topics();
        const [count] = topics.length > 0 ? await this.statements.run<{ rows: number }>(countRows(topics)) : [{ rows: 0 }];
        if (count!.rows === 0) return;
      }
      await this.consumer.waitFor(changed);
    }
  }

  /**
   * Stops claiming, lets running handlers finish and writes their acks (their own publishes are
   * still taken), then refuses publishes. Every statement is its own transaction: none stays open.
   */
  async close(): Promise<void> {
    await this.consumer.stop();
    await this.inserts.drained();
    this.closed = true;
  }
}

/** Delivers each entry to `handler` now, as a row's first delivery would be; the entries it refused. */
async function refusedBy(handler: DeliveryHandler<unknown>, entries: OutboxEntry[]): Promise<OutboxEntry[]> {
  const refused: OutboxEntry[] = [];
  for (const entry of entries) {
    const delivery = {
      messageId: `at-publish-${randomUUID()}`,
      event: JSON.parse(entry.payload) as unknown,
      attributes: JSON.parse(entry.attributes) as Record<string, string>,
      ...(entry.orderingKey ? { orderingKey: entry.orderingKey } : {}),
      deliveryAttempt: 1,
    };
    await handler(delivery).catch(() => refused.push(entry));
  }
  return refused;
}
