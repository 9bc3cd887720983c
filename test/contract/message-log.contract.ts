import { beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { nextStep, type MessageRecord } from '../../src/domain/model/message-record.js';
import type { ConversationArchive } from '../../src/domain/ports/conversation-archive.js';
import type { MessageLog } from '../../src/domain/ports/message-log.js';
import { aConversation, aStatus, A_REPLY, freshStore, T0, type MakeChatStore } from './chat-store.fixture.js';
import { messageLogReadCases } from './message-log-reads.cases.js';

/** The shared cases every MessageLog implementation must pass: claims, compare-and-set, history, statuses. */
export function messageLogContract(name: string, make: MakeChatStore): void {
  describe(`${name} as MessageLog`, () => {
    const current = freshStore(make);
    // Each case works through the MessageLog and sees the outcome through the conversation archive too.
    let store: MessageLog & ConversationArchive;
    beforeEach(() => {
      store = current();
    });

    describe('tool rounds', () => {
      it('stores a reply\'s tool rounds as given, any JSON in the arguments (arrays in arrays too), and reads them back', async () => {
        const message = aConversation()(T0);
        const { record } = await store.register(message, T0);
        const round = {
          model: 'gpt-4o-mini',
          usage: { prompt: 12, completion: 7 },
          text: '',
          calls: [
            { callId: 'tc_1', modelCallId: 'call_1', name: 'route', arguments: { points: [[52.5, 13.4], [48.1, 11.6]], note: null, n: 2 }, state: 'calling' as const, startedAt: T0 + 1 },
            { callId: 'tc_2', modelCallId: 'call_2', name: 'route', arguments: 'not json {', state: 'invalid' as const, startedAt: T0 + 1, reason: 'tool_arguments_invalid' as const, answer: 'bad' },
          ],
        };
        const recorded = await store.transition(message.conversationId, message.id, record.version, { toolRounds: [round], updatedAt: T0 + 2 });
        const answered = { ...round, calls: [{ ...round.calls[0]!, state: 'ok' as const, latencyMs: 40, answer: '{"km":504}' }, round.calls[1]!] };
        const stored = await store.transition(message.conversationId, message.id, recorded!.version, { toolRounds: [answered], updatedAt: T0 + 3 });

        expect(recorded!.toolRounds).toEqual([round]);
        expect(stored!.toolRounds).toEqual([answered]);
        expect((await store.findMessage(message.conversationId, message.id))!.toolRounds).toEqual([answered]);
      });
    });

    describe('register', () => {
      it('creates a received record at version 1 when the message is new', async () => {
        const message = aConversation()(T0);
        const { created, record } = await store.register(message, T0 + 5);

        expect(created).toBe(true);
        expect(record).toMatchObject({ message, state: 'received', version: 1, attempts: 0, sendAttempts: 0, leaseUntil: 0, outboundIds: [], recorded: false });
        expect(await store.messages(message.conversationId, { limit: 10 })).toEqual([record]);
      });

      it('returns the first record, and touches no other conversation, when the same message id arrives under another conversation', async () => {
        const original = aConversation()(T0);
        const replay = { ...aConversation()(T0 + 1), id: original.id, channel: original.channel, accountId: original.accountId };

        const first = await store.register(original, T0);
        const second = await store.register(replay, T0 + 1);

        expect(second).toEqual({ created: false, record: first.record });
        expect(await store.getConversation(replay.conversationId)).toBeNull();
        expect(await store.messages(replay.conversationId, { limit: 10 })).toEqual([]);
      });

      it('creates exactly one record when 50 registrations of the same message race', async () => {
        const message = aConversation()(T0);
        const results = await Promise.all(Array.from({ length: 50 }, () => store.register(message, T0)));

        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.record.version))).toEqual(new Set([1]));
        expect(await store.messages(message.conversationId, { limit: 100 })).toHaveLength(1);
        expect((await store.getConversation(message.conversationId))?.messageCount).toBe(1);
      });

      it('counts every message when 10 different messages of one conversation are registered concurrently', async () => {
        const at = aConversation();
        const messages = Array.from({ length: 10 }, (_, i) => at(T0 + i * 1000));

        const results = await Promise.all(messages.map((m, i) => store.register(m, T0 + i)));

        expect(results.every((r) => r.created)).toBe(true);
        expect(await store.getConversation(messages[0]!.conversationId)).toMatchObject({ messageCount: 10, createdAt: T0, lastMessageAt: T0 + 9000 });
        expect(await store.messages(messages[0]!.conversationId, { limit: 100 })).toHaveLength(10);
      });

      it('keeps messages apart when their ids contain /, dots, percent signs or underscores', async () => {
        const at = aConversation();
        const ids = ['wamid.HBgL/Mzk+ZmE=', 'wamid.HBgL%2FMzk+ZmE=', '.', '..', '__x__', '_x_', 'a/../b', 'wamid.HBgL_Mzk-ZmE'];
        const messages = ids.map((id, i) => ({ ...at(T0 + i), id }));

        for (const message of messages) expect((await store.register(message, T0)).created).toBe(true);

        const listed = await store.messages(messages[0]!.conversationId, { limit: 100 });
        expect(listed.map((r) => r.message.id)).toEqual(ids);
        const outboundId = `wamid.out/${randomUUID()}/==`;
        const sent = await store.transition(messages[0]!.conversationId, ids[0]!, 1, { state: 'sent', outboundIds: [outboundId] });
        expect(await store.applyStatus(aStatus(messages[0]!, outboundId, 'delivered'))).toBe('applied');
        expect((await store.register(messages[0]!, T0)).record).toEqual({ ...sent, version: sent!.version + 1, delivery: { status: 'delivered', at: T0 + 1000 } });
      });

      it('returns the stored record untouched when the message is already stored', async () => {
        const message = aConversation()(T0, 'original');
        const first = await store.register(message, T0);
        const moved = await store.transition(message.conversationId, message.id, first.record.version, { state: 'generating', leaseUntil: T0 + 9000, attempts: 1 });

        const again = await store.register({ ...message, content: { type: 'text', body: 'changed' } }, T0 + 60_000);

        expect(again.created).toBe(false);
        expect(again.record).toEqual(moved);
        expect(again.record.message.content).toEqual({ type: 'text', body: 'original' });
      });
    });

    describe('transition', () => {
      it('applies the patch and increments the version when the expected version matches', async () => {
        const message = aConversation()(T0);
        const { record } = await store.register(message, T0);

        const next = await store.transition(message.conversationId, message.id, record.version, { state: 'generating', leaseUntil: T0 + 100, attempts: 1, updatedAt: T0 + 1 });

        expect(next).toMatchObject({ state: 'generating', leaseUntil: T0 + 100, attempts: 1, updatedAt: T0 + 1, version: record.version + 1, message });
        expect((await store.register(message, T0)).record).toEqual(next);
      });

      it('returns null and changes nothing when the expected version is stale', async () => {
        const message = aConversation()(T0);
        const { record } = await store.register(message, T0);
        const current = await store.transition(message.conversationId, message.id, record.version, { state: 'generating' });

        const stale = await store.transition(message.conversationId, message.id, record.version, { state: 'failed' });

        expect(stale).toBeNull();
        expect((await store.register(message, T0)).record).toEqual(current);
      });

      it('returns null when the message does not exist', async () => {
        const message = aConversation()(T0);
        expect(await store.transition(message.conversationId, message.id, 1, { state: 'sent' })).toBeNull();
      });

      it('lets exactly one transition win when 20 race from the same version', async () => {
        const message = aConversation()(T0);
        const { record } = await store.register(message, T0);

        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.transition(message.conversationId, message.id, record.version, { attempts: i + 1 })),
        );

        const winners = results.filter((r): r is MessageRecord => r !== null);
        expect(winners).toHaveLength(1);
        const stored = (await store.register(message, T0)).record;
        expect(stored.version).toBe(record.version + 1);
        expect(stored.attempts).toBe(winners[0]!.attempts);
      });

      it('hands the message over when its lease has expired and makes the stale holder\'s write lose', async () => {
        const message = aConversation()(T0);
        const { conversationId, id } = message;
        const { record } = await store.register(message, T0);
        const held = await store.transition(conversationId, id, record.version, { state: 'generating', leaseUntil: T0 + 30_000, attempts: 1, updatedAt: T0 });

        const seen = (await store.register(message, T0 + 31_000)).record;
        expect(nextStep(seen, T0 + 29_999)).toBe('wait');
        expect(nextStep(seen, T0 + 31_000)).toBe('generate');
        const takeovers = await Promise.all(
          [1, 2].map(() => store.transition(conversationId, id, seen.version, { state: 'generating', leaseUntil: T0 + 61_000, attempts: seen.attempts + 1, updatedAt: T0 + 31_000 })),
        );
        const taken = takeovers.filter((r): r is MessageRecord => r !== null);
        const staleWrite = await store.transition(conversationId, id, held!.version, { state: 'answered', leaseUntil: 0, reply: { ...A_REPLY, text: 'stale' } });
        const answered = await store.transition(conversationId, id, taken[0]!.version, { state: 'answered', leaseUntil: 0, reply: A_REPLY, updatedAt: T0 + 32_000 });

        expect(taken).toHaveLength(1);
        expect(taken[0]).toMatchObject({ state: 'generating', attempts: 2, leaseUntil: T0 + 61_000, version: held!.version + 1 });
        expect(staleWrite).toBeNull();
        expect(answered).toMatchObject({ state: 'answered', leaseUntil: 0, reply: A_REPLY, attempts: 2, version: held!.version + 2 });
        expect((await store.register(message, T0 + 40_000)).record).toEqual(answered);
      });

      it('removes a field when the patch sets it to undefined', async () => {
        const message = aConversation()(T0);
        const { record } = await store.register(message, T0);
        const failed = await store.transition(message.conversationId, message.id, record.version, {
          failure: { stage: 'generate', reason: 'completion_failed' },
          note: 'empty_text',
        });
        expect(failed?.failure).toEqual({ stage: 'generate', reason: 'completion_failed' });

        const cleared = await store.transition(message.conversationId, message.id, failed!.version, { failure: undefined, note: undefined });

        expect(cleared).not.toHaveProperty('failure');
        expect(cleared).not.toHaveProperty('note');
        const [stored] = await store.messages(message.conversationId, { limit: 1 });
        expect(stored).not.toHaveProperty('failure');
        expect(stored).not.toHaveProperty('note');
      });
    });

    describe('history', () => {
      it('returns the newest earlier messages of the conversation, oldest first, at most limit, when messages were registered out of order', async () => {
        const at = aConversation();
        const messages = [1, 2, 3, 4, 5].map((i) => at(T0 + i * 1000));
        // Registered out of order: the store orders by reception time, not by write order.
        for (const m of [messages[3]!, messages[0]!, messages[4]!, messages[2]!, messages[1]!]) await store.register(m, T0);
        const other = aConversation()(T0 + 2500);
        await store.register(other, T0);

        const limited = await store.history(messages[0]!.conversationId, { before: T0 + 4000, limit: 2 });
        const all = await store.history(messages[0]!.conversationId, { before: T0 + 4000, limit: 10 });

        expect(limited.map((r) => r.message.id)).toEqual([messages[1]!.id, messages[2]!.id]);
        expect(all.map((r) => r.message.id)).toEqual([messages[0]!.id, messages[1]!.id, messages[2]!.id]);
      });

      it('returns nothing when no message is earlier or the limit is 0', async () => {
        const message = aConversation()(T0 + 1000);
        await store.register(message, T0);

        expect(await store.history(message.conversationId, { before: T0 + 1000, limit: 10 })).toEqual([]);
        expect(await store.history(message.conversationId, { before: T0 + 5000, limit: 0 })).toEqual([]);
        expect(await store.history(`c_missing_${randomUUID()}`, { before: T0 + 5000, limit: 10 })).toEqual([]);
      });
    });

    messageLogReadCases(current);
  });
}
