import { describe, expect, it } from 'vitest';
import { aFreshDatabase, type DatabaseKind } from '../support/databases.js';
import { PostgresChatStore } from '../../src/adapters/postgres/postgres-chat-store.js';
import { PostgresMessageBus } from '../../src/adapters/postgres/postgres-message-bus.js';
import { aMessage } from '../support/builders.js';

// PGlite's one session serves every pooled connection: its hot statements are prepared once and
// run by EXECUTE. A server's connections are sessions of their own: there they run as written.
const ourPrepared = "select name, statement from pg_prepared_statements where name like 'vocoeng\\_%' order by name";

async function aReplyCycle(store: PostgresChatStore): Promise<void> {
  const message = aMessage();
  const { record } = await store.register(message, message.receivedAt);
  const generating = await store.transition(message.conversationId, message.id, record.version, { state: 'generating', leaseUntil: message.receivedAt + 60_000 });
  await store.transition(message.conversationId, message.id, generating!.version, { state: 'answered', leaseUntil: 0 });
  await store.history(message.conversationId, { before: message.receivedAt, limit: 20 });
}

describe.each<DatabaseKind>(['pglite', 'postgres'])('hot statements on %s', (kind) => {
  it(kind === 'pglite' ? 'are prepared once and reused for every later message, on any connection' : 'run as written', async () => {
    const database = await aFreshDatabase(kind);
    try {
      const store = new PostgresChatStore(database.orm);
      const bus = new PostgresMessageBus(database.orm);
      await bus.publish('inbound', [{ event: { kind: 'message', message: aMessage() }, orderingKey: 'c-1' }]);
      await aReplyCycle(store);
      const connection = database.orm.em.fork().getConnection();
      const after = await connection.execute<{ name: string; statement: string }[]>(ourPrepared);
      await Promise.all([aReplyCycle(store), aReplyCycle(store), aReplyCycle(store)]);
      await bus.publish('inbound', [{ event: { kind: 'message', message: aMessage() }, orderingKey: 'c-2' }]);
      const later = await connection.execute<{ name: string; statement: string }[]>(ourPrepared);
      await bus.close();
      if (kind === 'postgres') {
        expect(after).toEqual([]);
        expect(later).toEqual([]);
        return;
      }
      const statements = after.map((row) => row.statement).join('\n');
      for (const table of ['insert into chat_claim', 'update chat_message', 'from chat_message where conversation_id', 'insert into message_outbox']) expect(statements).toContain(table);
      expect(statements).toMatch(/\$1\b/);
      expect(later).toEqual(after);
    } finally {
      await database.close();
    }
  });
});
