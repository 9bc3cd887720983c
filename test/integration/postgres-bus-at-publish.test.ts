import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../src/adapters/bus-delivery.js';
import { PostgresMessageBus } from '../../src/adapters/postgres/postgres-message-bus.js';
import type { InteractionEvent } from '../../src/domain/model/interaction.js';
import { aStatusEvent } from '../support/builders.js';
import { onEachDatabase } from '../support/databases.js';

// ROLE=all records interactions as they are published (the same database: one statement instead
// of a row's insert, claim and ack); one its handler refuses takes the outbox and its retries.
onEachDatabase((database) => {
  const rowsOf = async () => {
    const [row] = await database().orm.em.fork().getConnection().execute<{ rows: number }[]>(`select count(*)::int as rows from message_outbox where topic = 'interactions'`);
    return row!.rows;
  };

  describe('PostgresMessageBus, a topic handled at publish', () => {
    it('hands each message to its handler before the publish resolves, as delivered, and writes no row', async () => {
      const bus = new PostgresMessageBus(database().orm, { pollIntervalMs: 50 });
      const delivered: Delivery<InteractionEvent>[] = [];
      bus.subscribe('interactions', async (delivery) => void delivered.push(delivery), { atPublish: true });
      const run = randomUUID();
      const events = [aStatusEvent(run, 'k-1', 0), aStatusEvent(run, 'k-2', 1)];
      try {
        await bus.publish('interactions', events.map((event) => ({ event, orderingKey: event.conversationId, attributes: { kind: 'status' } })));
        expect(delivered.map((d) => d.event)).toEqual(events);
        expect(delivered.map((d) => [d.deliveryAttempt, d.orderingKey, d.attributes.kind])).toEqual(events.map((e) => [1, e.conversationId, 'status']));
        expect(await rowsOf()).toBe(0);
        await bus.idle();
        expect(delivered).toHaveLength(2);
      } finally {
        await bus.close();
      }
    });

    it('writes a message its handler refused as a row, redelivered by the consumer, and the others not; the publish resolves', async () => {
      const bus = new PostgresMessageBus(database().orm, { pollIntervalMs: 50, redeliveryDelayMs: 10 });
      const run = randomUUID();
      const [refused, taken] = [aStatusEvent(run, 'k-1', 0), aStatusEvent(run, 'k-2', 1)];
      const attempts: string[] = [];
      bus.subscribe(
        'interactions',
        async ({ event, messageId }) => {
          attempts.push(`${event.eventId === refused.eventId ? 'refused' : 'taken'} ${messageId.startsWith('at-publish-') ? 'at publish' : 'row'}`);
          if (event.eventId === refused.eventId && attempts.length === 1) throw new Error('analytics unavailable');
        },
        { atPublish: true },
      );
      try {
        await bus.publish('interactions', [refused, taken].map((event) => ({ event, orderingKey: event.conversationId })));
        await bus.idle();
        expect(attempts).toEqual(['refused at publish', 'taken at publish', 'refused row']);
        expect(await rowsOf()).toBe(0);
      } finally {
        await bus.close();
      }
    });
  });
});
