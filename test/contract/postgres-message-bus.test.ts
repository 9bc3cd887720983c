import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/postgres/database.js';
import { PostgresMessageBus } from '../../src/adapters/postgres/postgres-message-bus.js';
import type { Delivery } from '../../src/adapters/bus-delivery.js';
import { PublishError } from '../../src/domain/model/errors.js';
import type { StatusInteraction } from '../../src/domain/model/interaction.js';
import type { TopicName } from '../../src/domain/ports/message-bus.js';
import { currentTrace, newTrace, runWithTrace } from '../../src/observability/trace-context.js';
import { onEachDatabase } from '../support/databases.js';
import { failNextOutboxInserts } from '../support/outbox-failures.js';
import { messageBusContract, type BusTestOptions, type BusUnderTest, type ReceivedMessage } from './message-bus.contract.js';
import { aStatusEvent } from '../support/builders.js';

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

describe('PostgresMessageBus leases and shutdown', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const statusEvent = (run: string, i: number): StatusInteraction => aStatusEvent(run, `k-${run}`, i, { eventId: `${run}:${i}`, occurredAt: i });

  onEachDatabase((database) => {
    it('renews the lease of a handler that outlasts its ack deadline, so a second consumer never takes the message over', async () => {
      const run = randomUUID();
      const handledBy: string[] = [];
      const buses = ['first', 'second'].map((name) => {
        const bus = new PostgresMessageBus(database().orm, { ackDeadlineMs: 300, pollIntervalMs: 50 });
        bus.subscribe('interactions', async ({ event }) => {
          if (event.accountId !== run) return;
          handledBy.push(name);
          await sleep(1_500);
        });
        return bus;
      });

      await buses[0]!.publish('interactions', [{ event: statusEvent(run, 0), orderingKey: `k-${run}` }]);
      await Promise.all(buses.map((bus) => bus.idle()));
      await Promise.all(buses.map((bus) => bus.close()));

      expect(handledBy).toHaveLength(1);
    });

    it('lets a running handler finish, publish and ack when the bus closes, then refuses publishes', async () => {
      const run = randomUUID();
      const bus = new PostgresMessageBus(database().orm);
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const finished: number[] = [];
      bus.subscribe('interactions', async ({ event }) => {
        if (event.accountId !== run || event.occurredAt !== 0) return;
        started();
        await sleep(300);
        await bus.publish('interactions', [{ event: statusEvent(run, 1), orderingKey: `k-${run}` }]);
        finished.push(event.occurredAt);
      });
      await bus.publish('interactions', [{ event: statusEvent(run, 0), orderingKey: `k-${run}` }]);
      await running;

      await bus.close();

      expect(finished).toEqual([0]);
      await expect(bus.publish('interactions', [{ event: statusEvent(run, 2) }])).rejects.toBeInstanceOf(PublishError);
      // Acked: only the message the handler published during the shutdown is left for the next run.
      const next = new PostgresMessageBus(database().orm);
      const redelivered: number[] = [];
      next.subscribe('interactions', async ({ event }) => void (event.accountId === run && redelivered.push(event.occurredAt)));
      await next.idle();
      await next.close();
      expect(redelivered).toEqual([1]);
    });

    it('runs the handler inside the publisher’s trace when the message carries a traceparent', async () => {
      const run = randomUUID();
      const bus = new PostgresMessageBus(database().orm);
      const trace = { ...newTrace(), sampled: true };
      const seen: (string | undefined)[] = [];
      bus.subscribe('interactions', async ({ event }) => void (event.accountId === run && seen.push(currentTrace()?.traceId)));

      await runWithTrace(trace, () => bus.publish('interactions', [{ event: statusEvent(run, 0) }]));
      await bus.idle();
      await bus.close();

      expect(seen).toEqual([trace.traceId]);
    });
  });
});
