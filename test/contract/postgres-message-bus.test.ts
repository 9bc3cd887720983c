import type { Database } from '../../src/adapters/postgres/database.js';
import { PostgresMessageBus } from '../../src/adapters/postgres/postgres-message-bus.js';
import type { Delivery } from '../../src/adapters/bus-delivery.js';
import type { TopicName } from '../../src/domain/ports/message-bus.js';
import { onEachDatabase } from '../support/databases.js';
import { failNextOutboxInserts } from '../support/outbox-failures.js';
import { messageBusContract, type BusTestOptions, type BusUnderTest, type ReceivedMessage } from './message-bus.contract.js';

const toReceived = <T>(delivery: Delivery<T>): ReceivedMessage<T> => ({
  event: delivery.event,
  attributes: delivery.attributes,
  ...(delivery.orderingKey ? { orderingKey: delivery.orderingKey } : {}),
  deliveryAttempt: delivery.deliveryAttempt,
});

/**
 * A PostgresMessageBus on the suite's database. Dead letters are what `onDeadLetter` was handed.
 * The contract's 5 ms backoff is shorter than a claim's round trip; 30 ms keeps its case (another
 * key finishes while one key's head is retried) about ordering rather than about timing.
 */
function aBusOn(database: () => Database) {
  return async (options: BusTestOptions): Promise<BusUnderTest> => {
    const db = database();
    const dead: Record<TopicName, ReceivedMessage<unknown>[]> = { inbound: [], interactions: [] };
    const bus = new PostgresMessageBus(db.orm, {
      maxDeliveryAttempts: options.maxDeliveryAttempts,
      redeliveryDelayMs: Math.max(options.redeliveryDelayMs, 30),
      pollIntervalMs: 200,
      onDeadLetter: (topic, delivery) => void dead[topic].push(toReceived(delivery)),
    });
    // Arming the failure is a few statements: a publish waits for them, then really fails in the database.
    let armed = Promise.resolve();
    return {
      bus: { publish: async (topic, messages) => armed.then(() => bus.publish(topic, messages)) },
      subscribe: (topic, handler) => bus.subscribe(topic, (delivery) => handler(toReceived(delivery))),
      idle: () => bus.idle(),
      deadLetters: (topic) => dead[topic],
      failNextPublishes: (count) => void (armed = failNextOutboxInserts(db, count)),
      cleanup: async () => {
        await bus.close();
        await db.orm.em.getConnection().execute('delete from message_outbox');
      },
    };
  };
}

onEachDatabase((database) => {
  messageBusContract('PostgresMessageBus', aBusOn(database), {
    duplicates: 'an outbox row is handed out once per claim; copies come only from a crash or an expired lease (the durability tests)',
  });
});
