/** One delivery of a bus message to its subscriber, as every in-process consumer of a bus hands it out. */
export interface Delivery<T> {
  messageId: string;
  event: T;
  attributes: Record<string, string>;
  orderingKey?: string;
  /** 1 on the first delivery, counting every redelivery after a nack. */
  deliveryAttempt: number;
}

/** Resolving acks the delivery; rejecting nacks it (it is redelivered after a backoff). */
export type DeliveryHandler<T> = (delivery: Delivery<T>) => Promise<void>;

/** How a consumer in this process takes a topic (see PostgresMessageBus.subscribe). */
export interface SubscribeOptions {
  /**
   * Hand each message published to the topic to its handler inside `publish` (awaited) instead of
   * through a row: for a topic this process consumes itself whose handler is idempotent and costs
   * less than a row's three statements (ROLE=all's interactions, recorded in the same database).
   * A message the handler refuses becomes a row as usual, redelivered, backed off and dead-lettered
   * by the bus's rules; the publish resolves either way.
   */
  atPublish?: boolean;
}
