import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PostgresMessageBus } from '../../src/adapters/postgres/postgres-message-bus.js';
import { aStatusEvent } from '../support/builders.js';
import { onEachDatabase } from '../support/databases.js';

// PGlite has no autovacuum: the consumer vacuums the outbox itself every 2,000 acked rows, or the
// dead rows of acked heads pile up in front of every claim (a claim took ~5× longer after 17,000
// notifications). VACUUM cannot be prepared: it must run as written where statements are prepared.
onEachDatabase((database) => {
  const vacuums = async () => {
    const [row] = await database().orm.em.fork().getConnection().execute<{ vacuums: number }[]>(`select vacuum_count::int as vacuums from pg_stat_user_tables where relname = 'message_outbox'`);
    return row!.vacuums;
  };

  describe('PostgresMessageBus, the outbox kept clean', () => {
    it('vacuums the outbox after 2,000 acked rows, without a failure', async () => {
      const failures: string[] = [];
      const bus = new PostgresMessageBus(database().orm, { pollIntervalMs: 50, onError: (operation, error) => failures.push(`${operation}: ${error.message}`) });
      let handled = 0;
      bus.subscribe('interactions', async () => void handled++);
      const run = randomUUID();
      const before = await vacuums();
      try {
        for (let batch = 0; batch < 21; batch++) {
          const events = Array.from({ length: 100 }, (_, i) => aStatusEvent(run, `k-${i}`, batch * 100 + i));
          await bus.publish('interactions', events.map((event) => ({ event, orderingKey: event.conversationId })));
        }
        await bus.idle();
        expect(handled).toBe(2_100);
        await expect.poll(vacuums, { timeout: 10_000, interval: 100 }).toBeGreaterThan(before);
        expect(failures).toEqual([]);
      } finally {
        await bus.close();
      }
    });

    it('vacuums and analyzes a backlog that grew by 2,000 rows before any was acked (its claims are planned for its size)', async () => {
      const bus = new PostgresMessageBus(database().orm, { pollIntervalMs: 50 });
      const run = randomUUID();
      const before = await vacuums();
      try {
        for (let batch = 0; batch < 21; batch++) {
          const events = Array.from({ length: 100 }, (_, i) => aStatusEvent(run, 'one-key', batch * 100 + i));
          await bus.publish('interactions', events.map((event) => ({ event, orderingKey: event.conversationId })));
        }
        await expect.poll(vacuums, { timeout: 10_000, interval: 100 }).toBeGreaterThan(before);
        const [row] = await database().orm.em.fork().getConnection().execute<{ rows: number }[]>(`select count(*)::int as rows from message_outbox where payload like '%' || ? || '%'`, [run]);
        expect(row!.rows).toBe(2_100);
      } finally {
        await bus.close();
        await database().orm.em.fork().getConnection().execute(`delete from message_outbox where payload like '%' || ? || '%'`, [run]);
      }
    });
  });
});
