import { PublishError } from '../../src/domain/model/errors.js';
import type { BusMessage, MessageBus, TopicName, Topics } from '../../src/domain/ports/message-bus.js';

/**
 * A message bus that only records what is published, per topic, and can be told to fail the next
 * publishes (as a real broker outage would, with a retryable `PublishError`). Messages cross it as
 * JSON, as they would cross the wire. Nothing is delivered to anyone.
 */
export class RecordingMessageBus implements MessageBus {
  private readonly topics: { [K in TopicName]: BusMessage<Topics[K]>[] } = { inbound: [], interactions: [] };
  private failures = 0;
  /** Every publish call, including the failed ones, in order. */
  readonly attempts: { topic: TopicName; count: number; failed: boolean }[] = [];

  /** The next `count` publishes reject and record nothing. */
  failNextPublishes(count: number): this {
    this.failures += count;
    return this;
  }

  async publish<K extends TopicName>(topic: K, messages: BusMessage<Topics[K]>[]): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      this.attempts.push({ topic, count: messages.length, failed: true });
      throw new PublishError(`injected publish failure on ${topic}`);
    }
    this.attempts.push({ topic, count: messages.length, failed: false });
    this.topics[topic].push(...(JSON.parse(JSON.stringify(messages)) as BusMessage<Topics[K]>[]));
  }

  /** The messages accepted on `topic`, in publish order. */
  published<K extends TopicName>(topic: K): readonly BusMessage<Topics[K]>[] {
    return this.topics[topic];
  }

  /** The events accepted on `topic`, in publish order. */
  events<K extends TopicName>(topic: K): Topics[K][] {
    return this.topics[topic].map((message) => message.event);
  }

  /** True when nothing was accepted on any topic. */
  get empty(): boolean {
    return this.topics.inbound.length === 0 && this.topics.interactions.length === 0;
  }
}
