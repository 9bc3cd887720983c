import { randomUUID } from 'node:crypto';
import { PublishError } from '../../domain/model/errors.js';
import type { BusMessage, MessageBus, TopicName, Topics } from '../../domain/ports/message-bus.js';
import type { Delivery, DeliveryHandler } from '../bus-delivery.js';

export type { Delivery, DeliveryHandler } from '../bus-delivery.js';

export interface InMemoryBusOptions {
  /** First redelivery delay; doubles per attempt up to `maxRedeliveryDelayMs`. */
  redeliveryDelayMs?: number;
  maxRedeliveryDelayMs?: number;
  /** After this many nacked deliveries the message goes to the dead letters. */
  maxDeliveryAttempts?: number;
  /** Deliver every message this many times at once on its first delivery (at-least-once chaos). */
  duplicates?: number;
  onNack?: (topic: TopicName, delivery: Delivery<unknown>, error: unknown) => void;
  onDeadLetter?: (topic: TopicName, delivery: Delivery<unknown>, error: unknown) => void;
}

interface Pending {
  messageId: string;
  payload: string;
  attributes: Record<string, string>;
  orderingKey?: string;
}

/**
 * An in-process Pub/Sub: at-least-once delivery, redelivery with backoff on nack or failure, order
 * per ordering key (a key's next message waits until the one before it is acked or dead-lettered),
 * unordered messages in parallel, and optional duplicate deliveries. Events cross it as JSON, as
 * they would cross the wire.
 */
export class InMemoryMessageBus implements MessageBus {
  private readonly handlers = new Map<TopicName, DeliveryHandler<unknown>>();
  private readonly queues = new Map<string, Pending[]>();
  private readonly draining = new Set<string>();
  private readonly dead = new Map<TopicName, Delivery<unknown>[]>();
  private readonly idleWaiters: (() => void)[] = [];
  private publishFailures: Error[] = [];
  private sequence = 0;
  // Unique across bus instances (like Pub/Sub's ids), so dead letters stored by id survive a restart.
  private readonly idPrefix = `${randomUUID().slice(0, 8)}-`;
  private closed = false;
  private readonly options: Required<Omit<InMemoryBusOptions, 'onNack' | 'onDeadLetter'>> & InMemoryBusOptions;

  constructor(options: InMemoryBusOptions = {}) {
    this.options = { redeliveryDelayMs: 100, maxRedeliveryDelayMs: 5_000, maxDeliveryAttempts: 5, duplicates: 1, ...options };
  }

  subscribe<K extends TopicName>(topic: K, handler: DeliveryHandler<Topics[K]>): void {
    if (this.handlers.has(topic)) throw new Error(`topic ${topic} already has a subscriber`);
    this.handlers.set(topic, handler as DeliveryHandler<unknown>);
    for (const queueKey of this.queues.keys()) if (queueKey.startsWith(`${topic}\u0000`)) this.drain(topic, queueKey);
  }

  async publish<K extends TopicName>(topic: K, messages: BusMessage<Topics[K]>[]): Promise<void> {
    if (this.closed) throw new PublishError(`bus is closed; cannot publish to ${topic}`);
    const failure = this.publishFailures.shift();
    if (failure) throw new PublishError(`publish to ${topic} failed: ${failure.message}`, { cause: failure });
    const pending = messages.map((message): Pending => ({
      messageId: `${this.idPrefix}${++this.sequence}`,
      payload: JSON.stringify(message.event),
      attributes: { ...message.attributes },
      ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
    }));
    for (const item of pending) {
      const queueKey = `${topic}\u0000${item.orderingKey ?? `unordered:${item.messageId}`}`;
      const queue = this.queues.get(queueKey) ?? [];
      queue.push(item);
      this.queues.set(queueKey, queue);
      this.drain(topic, queueKey);
    }
  }

  /** Makes the next `count` publishes fail (the listener must then answer 503). */
  failNextPublishes(count: number, error = new Error('injected publish failure')): void {
    this.publishFailures = Array.from({ length: count }, () => error);
  }

  deadLetters(topic: TopicName): readonly Delivery<unknown>[] {
    return this.dead.get(topic) ?? [];
  }

  /** Resolves once every published message has been acked or dead-lettered. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops accepting publishes and redeliveries; resolves when in-flight deliveries settle. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.draining.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private drain(topic: TopicName, queueKey: string): void {
    const handler = this.handlers.get(topic);
    if (!handler || this.draining.has(queueKey) || this.closed) return;
    this.draining.add(queueKey);
    void this.run(topic, queueKey, handler).finally(() => {
      this.draining.delete(queueKey);
      if ((this.queues.get(queueKey)?.length ?? 0) > 0) this.drain(topic, queueKey);
      this.notifyIdle();
    });
  }

  private async run(topic: TopicName, queueKey: string, handler: DeliveryHandler<unknown>): Promise<void> {
    const queue = this.queues.get(queueKey)!;
    while (queue.length > 0 && !this.closed) {
      await this.deliverUntilSettled(topic, queue[0]!, handler);
      if (this.closed) return;
      queue.shift();
    }
    if (queue.length === 0) this.queues.delete(queueKey);
  }

  private async deliverUntilSettled(topic: TopicName, item: Pending, handler: DeliveryHandler<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const copies = attempt === 1 ? this.options.duplicates : 1;
      const deliveries = Array.from({ length: copies }, () => this.deliveryOf(item, attempt));
      const results = await Promise.allSettled(deliveries.map((delivery) => handler(delivery)));
      const rejected = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (!rejected) return;
      this.options.onNack?.(topic, deliveries[0]!, rejected.reason);
      if (attempt >= this.options.maxDeliveryAttempts) {
        this.dead.set(topic, [...this.deadLetters(topic), deliveries[0]!]);
        this.options.onDeadLetter?.(topic, deliveries[0]!, rejected.reason);
        return;
      }
      const delay = Math.min(this.options.redeliveryDelayMs * 2 ** (attempt - 1), this.options.maxRedeliveryDelayMs);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.closed) return;
    }
  }

  private deliveryOf(item: Pending, attempt: number): Delivery<unknown> {
    return {
      messageId: item.messageId,
      event: JSON.parse(item.payload) as unknown,
      attributes: { ...item.attributes },
      ...(item.orderingKey ? { orderingKey: item.orderingKey } : {}),
      deliveryAttempt: attempt,
    };
  }

  private isIdle(): boolean {
    return this.draining.size === 0 && [...this.queues.entries()].every(([key, queue]) => queue.length === 0 || !this.handlers.has(key.split('\u0000')[0] as TopicName));
  }

  private notifyIdle(): void {
    // Checked only when someone waits: the check walks every queue, and runs after each delivery.
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
