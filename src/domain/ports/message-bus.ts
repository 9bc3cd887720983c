import type { InboundEvent } from '../model/events.js';
import type { InteractionEvent } from '../model/interaction.js';

/** The topics the core publishes to, with the event each carries. */
export interface Topics {
  inbound: InboundEvent;
  interactions: InteractionEvent;
}
export type TopicName = keyof Topics;

export interface BusMessage<T> {
  event: T;
  /** Messages with the same key are delivered in publish order. */
  orderingKey?: string;
  /** Small string metadata carried beside the event (trace context, event kind). */
  attributes?: Record<string, string>;
}

/**
 * Durable, at-least-once delivery of events between roles. `publish` resolves only once every
 * message is accepted by the bus (the listener answers 200 after that); it rejects with a
 * retryable `PublishError` otherwise.
 */
export interface MessageBus {
  publish<K extends TopicName>(topic: K, messages: BusMessage<Topics[K]>[]): Promise<void>;
}
