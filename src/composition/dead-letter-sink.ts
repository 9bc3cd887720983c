import { deadLetterFromBus } from '../adapters/codec/dead-letter-codec.js';
import type { Delivery } from '../adapters/bus-delivery.js';
import type { Clock } from '../domain/ports/clock.js';
import type { DeadLetterStore } from '../domain/ports/dead-letter-store.js';
import type { TopicName } from '../domain/ports/message-bus.js';
import { errorFields, type Logger } from '../observability/logger.js';

export type DeadLetterSink = (topic: TopicName, delivery: Delivery<unknown>) => Promise<void>;

/**
 * ROLE=all: what the in-process bus gives up on is stored for the dashboard to list and replay,
 * as the api stores what the dead-letter topics push. Never rejects: a failure is logged.
 */
export function deadLetterSink(store: DeadLetterStore, clock: Clock, logger: Logger): DeadLetterSink {
  return async (topic, delivery) => {
    const ids = { topic, messageId: delivery.messageId };
    const arrived = { messageId: delivery.messageId, attributes: delivery.attributes, orderingKey: delivery.orderingKey, deliveryAttempts: delivery.deliveryAttempt };
    const letter = deadLetterFromBus(topic, delivery.event, arrived, clock.now());
    if (!letter) {
      logger.error('dead letter not stored: not an event of its topic', ids);
      return;
    }
    try {
      const { letter: stored, created } = await store.add(letter);
      if (created) logger.warn('dead letter stored', { ...ids, deadLetterId: stored.id, conversationId: stored.conversationId, deliveryAttempts: stored.deliveryAttempts });
    } catch (error) {
      logger.error('dead letter not stored', { ...ids, ...errorFields(error) });
    }
  };
}
