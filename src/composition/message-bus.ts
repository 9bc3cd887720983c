import type { Config } from '../config/config.js';
import { errorFields, type Logger } from '../observability/logger.js';
import { deadLetterSink } from './dead-letter-sink.js';
import { TOKENS } from './tokens.js';
import type { Providers } from './wiring.js';

/**
 * Every role's bus. PROJECT_ID: Pub/Sub (the client honours PUBSUB_EMULATOR_HOST); without it
 * (ROLE=all only) the in-process bus, whose dead letters go to the api's dead-letter store.
 * Each is imported only when chosen.
 */
export async function messageBusProviders(config: Config, logger: Logger): Promise<Providers> {
  if (config.PROJECT_ID) {
    const { createPubSub, PubSubMessageBus } = await import('../adapters/pubsub/pubsub-message-bus.js');
    const projectId = config.PROJECT_ID;
    const topics = { inbound: config.PUBSUB_TOPIC, interactions: config.PUBSUB_INTERACTIONS_TOPIC };
    return {
      [TOKENS.PubSub]: () => createPubSub(projectId),
      [TOKENS.MessageBus]: (resolve) => new PubSubMessageBus(resolve(TOKENS.PubSub), topics),
    };
  }
  const { InMemoryMessageBus } = await import('../adapters/memory/in-memory-message-bus.js');
  return {
    [TOKENS.MessageBus]: (resolve) => {
      const deadLettered = deadLetterSink(resolve(TOKENS.DeadLetterStore), resolve(TOKENS.Clock), logger);
      return new InMemoryMessageBus({
        // Redeliveries span more than a lease (60 s), so a message waiting for an earlier one of its
        // conversation outlives a stuck predecessor instead of being dead-lettered behind it.
        redeliveryDelayMs: 1_000,
        maxRedeliveryDelayMs: 10_000,
        maxDeliveryAttempts: 10,
        onNack: (topic, delivery, error) =>
          logger.warn('bus delivery nacked; will redeliver', { topic, messageId: delivery.messageId, attempt: delivery.deliveryAttempt, ...errorFields(error) }),
        onDeadLetter: (topic, delivery, error) => {
          logger.error('bus message dead-lettered after the last attempt', { topic, messageId: delivery.messageId, ...errorFields(error) });
          void deadLettered(topic, delivery);
        },
      });
    },
  };
}
