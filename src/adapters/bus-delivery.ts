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
