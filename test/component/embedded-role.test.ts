import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PostgresChatStore } from '../../src/adapters/postgres/postgres-chat-store.js';
import { buildRole, type RoleRuntime } from '../../src/composition/role.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { aConversation, T0 } from '../contract/chat-store.fixture.js';
import { onEachDatabase } from '../support/databases.js';

// ROLE=all without PROJECT_ID, built on the database `npm start` opens (issue #18): the chat store
// and the bus are the PostgreSQL ones, and the retention sweep also purges expired transcripts,
// which that store has no TTL for.

function aLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)));
  return { logger: createLogger({ level: 'info', stream }), lines };
}

onEachDatabase((database) => {
  describe('ROLE=all on its database', () => {
    let runtime: RoleRuntime | undefined;
    afterEach(async () => {
      // The role closes the database it was given: the suite's database stays open for the next test.
      await runtime?.stop();
      runtime = undefined;
    });
    const build = (env: Record<string, string>, logger = aLogger().logger) =>
      buildRole(loadConfig({ ROLE: 'all', ...env }), { logger, database: { ...database(), close: async () => undefined } });

    it('uses the PostgreSQL chat store and bus, and reports them in the start-up adapters', async () => {
      runtime = await build({});

      expect(runtime.adapters).toMatchObject({ messageBus: 'PostgresMessageBus', chatStore: 'PostgresChatStore', deadLetters: 'PostgresDeadLetterStore', analyticsStore: 'PostgresAnalyticsStore' });
      // One store serves the worker, the api and the retention sweep.
      expect(runtime.container.get(TOKENS.TranscriptExpiry)).toBe(runtime.container.get(TOKENS.ChatStore));
    });

    it('purges transcripts not written for CHAT_RETENTION_DAYS in the retention sweep at start, and keeps the newer ones', { timeout: 60_000 }, async () => {
      const store = new PostgresChatStore(database().orm);
      const old = aConversation()(T0);
      const recent = aConversation()(T0);
      await store.register(old, T0);
      await store.register(recent, T0);
      const exec = (statement: string) => database().orm.em.fork().getConnection().execute(statement, [], 'run');
      for (const table of ['chat_message', 'chat_conversation']) {
        await exec(`update ${table} set written_at = now() - interval '31 days' where conversation_id = '${old.conversationId}'`);
      }
      await exec(`update chat_claim set claimed_at = now() - interval '31 days' where conversation_id = '${old.conversationId}'`);
      const { logger, lines } = aLogger();

      runtime = await build({ CHAT_RETENTION_DAYS: '30' }, logger);
      runtime.start();
      const finished = await vi.waitFor(
        () => {
          const line = lines.find((entry) => entry['message'] === 'retention sweep finished');
          if (!line) throw new Error('no sweep yet');
          return line;
        },
        { timeout: 20_000, interval: 50 },
      );

      expect(finished).toMatchObject({ transcripts: { messages: 1, conversations: 1 } });
      expect(await store.getConversation(old.conversationId)).toBeNull();
      expect(await store.findMessage(old.conversationId, old.id)).toBeNull();
      expect(await store.findMessage(recent.conversationId, recent.id)).toMatchObject({ message: { id: recent.id } });
    });
  });
});
