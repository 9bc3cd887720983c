import type { Database } from '../adapters/postgres/database.js';
import type { Config } from '../config/config.js';
import { errorFields, type Logger } from '../observability/logger.js';
import { deadLetterSink } from './dead-letter-sink.js';
import { TOKENS } from './tokens.js';
import type { Providers } from './wiring.js';

/** Pub/Sub's dead-letter policy, kept by the buses this process consumes itself. */
const MAX_DELIVERY_ATTEMPTS = 5;

/**
 * Every role's bus, each imported only when chosen. PROJECT_ID: Pub/Sub (the client honours
 * PUBSUB_EMULATOR_HOST). Without it (ROLE=all only) a bus this process consumes itself: the
 * durable outbox in the role's database (PGlite under DATA_DIR, or DATABASE_URL), so an event
 * accepted with 200 survives a crash or restart; in memory only when built without a database
 * (tests). Their dead letters go to the api's dead-letter store.
 */
export async function messageBusProviders(config: Config, logger: Logger, database?: Database): Promise<Providers> {
  if (config.PROJECT_ID) {
    const { createPubSub, PubSubMessageBus } = await import('../adapters/pubsub/pubsub-message-bus.js');
    const projectId = config.PROJECT_ID;
    const topics = { inbound: config.PUBSUB_TOPIC, interactions: config.PUBSUB_INTERACTIONS_TOPIC };
    return {
      [TOKENS.PubSub]: () => createPubSub(projectId),
      [TOKENS.MessageBus]: (resolve) => new PubSubMessageBus(resolve(TOKENS.PubSub), topics),
    };
  }
  const onNack = (topic: string, delivery: { messageId: string; deliveryAttempt: number }, error: unknown) =>
    logger.warn('bus delivery nacked; will redeliver', { topic, messageId: delivery.messageId, attempt: delivery.deliveryAttempt, ...errorFields(error) });
  if (database) {
    const { PostgresMessageBus } = await import('../adapters/postgres/postgres-message-bus.js');
    return {
      [TOKENS.MessageBus]: (resolve) => {
        const deadLettered = deadLetterSink(resolve(TOKENS.DeadLetterStore), resolve(TOKENS.Clock), logger);
        return new PostgresMessageBus(database.orm, {
          maxDeliveryAttempts: MAX_DELIVERY_ATTEMPTS,
          // Like the Pub/Sub subscription's retry policy, the five attempts span more than a reply
          // lease (1 + 2 + 4 + 8 = 15 steps of a twelfth of it), so a message waiting behind a stuck
          // predecessor of its conversation outlives that lease instead of being dead-lettered.
          redeliveryDelayMs: Math.ceil(config.REPLY_LEASE_MS / 12),
          maxRedeliveryDelayMs: config.REPLY_LEASE_MS,
          // Embedded PGlite belongs to this process alone: what a killed run held is free at once.
          releaseLeasesAtStart: !config.DATABASE_URL,
          onNack,
          // Awaited before the row goes: a dead letter is stored before the bus forgets the message.
          onDeadLetter: async (topic, delivery, error) => {
            logger.error('bus message dead-lettered after the last attempt', { topic, messageId: delivery.messageId, ...errorFields(error) });
            await deadLettered(topic, delivery);
          },
          onError: (operation, error) => logger.warn('message outbox statement failed; retried or redelivered', { operation, ...errorFields(error) }),
        });
      },
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
        onNack,
        onDeadLetter: (topic, delivery, error) => {
          logger.error('bus message dead-lettered after the last attempt', { topic, messageId: delivery.messageId, ...errorFields(error) });
          void deadLettered(topic, delivery);
        },
      });
    },
  };
}
