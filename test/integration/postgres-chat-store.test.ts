import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAgentReply } from '../../src/domain/model/agent-reply.js';
import { isRetryable } from '../../src/domain/model/errors.js';
import type { MessageRecord } from '../../src/domain/model/message-record.js';
import { PostgresChatStore } from '../../src/adapters/postgres/postgres-chat-store.js';
import { aConversation, aStatus, T0 } from '../contract/chat-store.fixture.js';
import { aMessage } from '../support/builders.js';
import { aFreshDatabase, onEachDatabase } from '../support/databases.js';

const DAY_MS = 86_400_000;

// What the contract suites do not race: claims of one message id under several conversations, a
// chain of read-then-compare-and-set writers, reservations on a day without a row yet, statuses
// racing each other; and what only this adapter has: its errors and its retention sweep.
onEachDatabase((database) => {
  const aStore = (retentionDays?: number) => new PostgresChatStore(database().orm, retentionDays === undefined ? {} : { retentionDays });
  const exec = (statement: string) => database().orm.em.fork().getConnection().execute(statement, [], 'run');

  describe('PostgresChatStore under concurrency', () => {
    it('creates exactly one record when 30 registrations of one message id race under different conversations', async () => {
      const store = aStore();
      const original = aConversation()(T0);
      const replays = Array.from({ length: 30 }, (_, i) => (i === 0 ? original : { ...aConversation(original.accountId)(T0 + i), id: original.id }));

      const results = await Promise.all(replays.map((message) => store.register(message, T0)));

      expect(results.filter((result) => result.created)).toHaveLength(1);
      const winner = results.find((result) => result.created)!.record;
      for (const result of results) expect(result.record).toEqual(winner);
      const conversations = await Promise.all(replays.map((message) => store.getConversation(message.conversationId)));
      expect(conversations.filter(Boolean)).toHaveLength(1);
    });

    it('loses no update when 12 writers each read and compare-and-set until their own increment is in', async () => {
      const store = aStore();
      const message = aConversation()(T0);
      await store.register(message, T0);

      const writer = async (): Promise<void> => {
        for (;;) {
          const current = (await store.findMessage(message.conversationId, message.id))!;
          if (await store.transition(message.conversationId, message.id, current.version, { attempts: current.attempts + 1 })) return;
        }
      };
      await Promise.all(Array.from({ length: 12 }, writer));

      const stored = await store.findMessage(message.conversationId, message.id);
      expect(stored).toMatchObject({ attempts: 12, version: 13 });
    });

    it('grants racing reservations of a day that has no row yet only up to the cap', async () => {
      const store = aStore();
      const accountId = `acct-${randomUUID()}`;

      const granted = await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.reserveSpend(accountId, '2026-11-25', { key: `m-${i}`, usd: 0.125, until: T0 + 60_000 }, 1, T0)),
      );

      expect(granted.filter(Boolean)).toHaveLength(8);
      // Settling every granted share at its estimate reaches the cap exactly, never more.
      await Promise.all(granted.flatMap((ok, i) => (ok ? [store.settleSpend(accountId, '2026-11-25', `m-${i}`, 0.125)] : [])));
      expect(await store.spendOf(accountId, '2026-11-25')).toBe(1);
      expect(await store.reserveSpend(accountId, '2026-11-25', { key: 'late', usd: 0, until: T0 + 60_000 }, 1, T0)).toBe(false);
    });

    it('ends at the furthest delivery, each step applied once, when statuses of one reply race', async () => {
      const store = aStore();
      const message = aConversation()(T0);
      const outboundId = `out-${randomUUID()}`;
      const { record } = await store.register(message, T0);
      const sent = (await store.transition(message.conversationId, message.id, record.version, { state: 'sent', outboundIds: [outboundId] }))!;

      const statuses = (['sent', 'delivered', 'read'] as const).flatMap((status) => [1, 2, 3].map(() => aStatus(message, outboundId, status)));
      const results = await Promise.all(statuses.map((status) => store.applyStatus(status)));

      const stored = (await store.findByOutboundId(outboundId))!;
      expect(stored.delivery?.status).toBe('read');
      const applied = results.filter((result) => result === 'applied').length;
      expect(applied).toBeGreaterThanOrEqual(1);
      expect(applied).toBeLessThanOrEqual(3);
      expect(stored.version).toBe(sent.version + applied);
    });
  });

  describe('PostgresChatStore errors', () => {
    it('refuses a message holding a NUL character as permanent, stores nothing and stays usable', async () => {
      const store = aStore();
      const message = aMessage({ text: 'before\u0000after' });

      const error: unknown = await store.register(message, T0).then(() => undefined, (caught: unknown) => caught);

      expect(error).toMatchObject({ code: 'chat_store_rejected', retryable: false });
      expect(isRetryable(error)).toBe(false);
      expect(await store.getConversation(message.conversationId)).toBeNull();
      expect((await store.register(aMessage(), T0)).created).toBe(true);
    });

    it('refuses a NUL character in an id before it reaches the connection', async () => {
      const store = aStore();
      const message = { ...aMessage(), id: 'wamid.\u0000x' };

      await expect(store.register(message, T0)).rejects.toMatchObject({ code: 'chat_store_rejected', retryable: false });
      expect((await store.register(aMessage(), T0)).created).toBe(true);
    });

    it('reads a malformed stored record as a permanent error that names the field, never a value', async () => {
      const store = aStore();
      const message = aMessage({ text: `secret words ${randomUUID()}` });
      await store.register(message, T0);
      await exec(`update chat_message set record = record || '{"state": "exploded"}'::jsonb where message_id = '${message.id}'`);

      const error: unknown = await store.findMessage(message.conversationId, message.id).then(() => undefined, (caught: unknown) => caught);

      expect(error).toMatchObject({ code: 'chat_store_rejected', retryable: false });
      expect((error as Error).message).toContain('state');
      expect((error as Error).message).not.toContain('secret words');
    });
  });

  describe('PostgresChatStore.purgeExpired', () => {
    it('deletes what was not written for the retention period and keeps the rest', async () => {
      const store = aStore(30);
      const old = aConversation();
      const [first, second] = [old(T0), old(T0 + 1)];
      const oldOutbound = `out-${randomUUID()}`;
      await store.register(first, T0);
      const { record } = await store.register(second, T0);
      await store.transition(second.conversationId, second.id, record.version, { state: 'sent', outboundIds: [oldOutbound] });
      // A conversation not written for long, one of whose messages was written recently: it stays.
      const mixed = aConversation();
      const [stale, fresh] = [mixed(T0), mixed(T0 + 1)];
      await store.register(stale, T0);
      await store.register(fresh, T0);
      const recent = aConversation()(T0);
      await store.register(recent, T0);
      const aged = `now() - interval '31 days'`;
      for (const table of ['chat_message', 'chat_outbound', 'chat_conversation']) {
        await exec(`update ${table} set written_at = ${aged} where conversation_id in ('${old(0).conversationId}', '${mixed(0).conversationId}')`);
      }
      await exec(`update chat_message set written_at = now() where message_id = '${fresh.id}'`);
      await exec(`update chat_claim set claimed_at = ${aged} where conversation_id in ('${old(0).conversationId}', '${mixed(0).conversationId}')`);

      expect(await store.purgeExpired(Date.now())).toEqual({ messages: 3, conversations: 1 });

      expect(await store.getConversation(first.conversationId)).toBeNull();
      expect(await store.messages(first.conversationId, { limit: 10 })).toEqual([]);
      expect(await store.findByOutboundId(oldOutbound)).toBeNull();
      expect((await store.messages(fresh.conversationId, { limit: 10 })).map((r: MessageRecord) => r.message.id)).toEqual([fresh.id]);
      expect(await store.getConversation(fresh.conversationId)).toMatchObject({ messageCount: 2 });
      expect(await store.messages(recent.conversationId, { limit: 10 })).toHaveLength(1);
      // A message still stored is a duplicate even when its claim expired: found by its row.
      const kept = await store.findMessage(fresh.conversationId, fresh.id);
      expect(await store.register(fresh, T0 + 5)).toEqual({ created: false, record: kept });
      // Its claim expired with it, as Firestore's TTL expires claims: the id is new again.
      expect((await store.register(first, T0)).created).toBe(true);
      expect(await store.purgeExpired(Date.now())).toEqual({ messages: 0, conversations: 0 });
    });

    it('deletes agent replies not written for the retention period, and a conversation with its handoff once its replies are gone too', async () => {
      const store = aStore(30);
      const expired = aConversation()(T0);
      const kept = aConversation()(T0);
      for (const message of [expired, kept]) {
        await store.register(message, T0);
        await store.replaceHandoff(message.conversationId, 0, { mode: 'human', agent: 'Grace', since: T0 });
        await store.addAgentReply(newAgentReply({ id: 'ar_1', conversationId: message.conversationId, inReplyTo: message.id, agent: 'Grace', text: 'hi', createdAt: T0 }));
      }
      const aged = `now() - interval '31 days'`;
      const both = `('${expired.conversationId}', '${kept.conversationId}')`;
      for (const table of ['chat_message', 'chat_conversation']) await exec(`update ${table} set written_at = ${aged} where conversation_id in ${both}`);
      await exec(`update chat_agent_reply set written_at = ${aged} where conversation_id = '${expired.conversationId}'`);

      expect(await store.purgeExpired(Date.now())).toEqual({ messages: 2, conversations: 1 });

      expect(await store.getConversation(expired.conversationId)).toBeNull();
      expect(await store.findAgentReply(expired.conversationId, 'ar_1')).toBeNull();
      const [handoffs] = await database().orm.em.fork().getConnection().execute(`select count(*)::int as n from chat_handoff where conversation_id = '${expired.conversationId}'`);
      expect(handoffs).toEqual({ n: 0 });
      // Its agent's reply was written recently: the conversation and its handoff stay.
      expect(await store.handoff(kept.conversationId)).toMatchObject({ mode: 'human', agent: 'Grace' });
      expect(await store.findAgentReply(kept.conversationId, 'ar_1')).not.toBeNull();
    });

    it('measures the retention period in the configured days', async () => {
      const message = aConversation()(T0);
      await aStore(30).register(message, T0);

      expect(await aStore(30).purgeExpired(Date.now() + 29 * DAY_MS)).toEqual({ messages: 0, conversations: 0 });
      expect(await aStore(90).purgeExpired(Date.now() + 31 * DAY_MS)).toEqual({ messages: 0, conversations: 0 });
      expect(await aStore(30).findMessage(message.conversationId, message.id)).not.toBeNull();
      const purged = await aStore(30).purgeExpired(Date.now() + 31 * DAY_MS);
      expect(purged.messages).toBeGreaterThanOrEqual(1);
      expect(await aStore(30).findMessage(message.conversationId, message.id)).toBeNull();
      expect(await aStore(30).getConversation(message.conversationId)).toBeNull();
    });
  });
});

// A lock held across statements needs a session of its own: only a PostgreSQL server has them (PGlite serves one).
describe('PostgresChatStore claim on a PostgreSQL server', () => {
  let db: Awaited<ReturnType<typeof aFreshDatabase>>;
  beforeAll(async () => {
    db = await aFreshDatabase('postgres');
  });
  afterAll(() => db.close());

  it('waits for a handoff change in flight and claims under the mode it wrote', async () => {
    const store = new PostgresChatStore(db.orm);
    const message = aMessage();
    const { record } = await store.register(message, T0);
    await store.replaceHandoff(message.conversationId, 0, { mode: 'human', agent: 'Grace', since: T0 });
    const change = db.orm.em.fork();
    await change.begin();
    await change.execute(`update chat_handoff set mode = 'bot', agent = null, version = version + 1 where conversation_id = '${message.conversationId}'`);

    let settled = false;
    const claim = store.claim(message.conversationId, message.id, record.version, { bot: { state: 'generating' }, human: { state: 'skipped', note: 'human_mode' } }).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    await change.commit();

    expect(await claim).toMatchObject({ mode: 'bot', record: { state: 'generating' } });
  });
});

