import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { DeliveryStatus } from '../../src/domain/model/delivery-status.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import { nextStep, type MessageRecord } from '../../src/domain/model/message-record.js';
import type { Reply } from '../../src/domain/model/reply.js';
import type { ChatStore, ParticipantRef } from '../../src/domain/ports/chat-store.js';
import { aMessage } from '../support/builders.js';

export interface ChatStoreUnderTest {
  store: ChatStore;
  cleanup?: () => Promise<void>;
}

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

const A_REPLY: Reply = { text: 'stored reply', kind: 'ai', model: 'm', usage: { prompt: 1, completion: 2 }, costUsd: 0.25, latencyMs: 7, createdAt: T0 };

/** A fresh participant's conversation: every test works in conversations of its own. */
function aConversation(accountId = `acct-${randomUUID()}`) {
  const participantId = `p-${randomUUID()}`;
  return (receivedAt: number, text = `text at ${receivedAt}`): InboundMessage =>
    aMessage({ accountId, participant: { id: participantId, name: 'Ada' }, receivedAt, sentAt: receivedAt, text });
}

function aStatus(message: InboundMessage, outboundId: string, status: DeliveryStatus['status'], extra: Partial<DeliveryStatus> = {}): DeliveryStatus {
  return {
    outboundId,
    channel: message.channel,
    accountId: message.accountId,
    conversationId: message.conversationId,
    recipientId: message.participant.id,
    status,
    at: T0 + 1000,
    ...extra,
  };
}

/** The shared cases every ChatStore implementation must pass. */
export function chatStoreContract(name: string, make: () => Promise<ChatStoreUnderTest>): void {
  describe(name, () => {
    let store: ChatStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      ({ store, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup?.();
    });

    /** Registers a message and moves it to `sent` with the given outbound ids. */
    async function sentMessage(message: InboundMessage, outboundIds: string[]): Promise<MessageRecord> {
      const { record } = await store.register(message, T0);
      const sent = await store.transition(message.conversationId, message.id, record.version, { state: 'sent', outboundIds });
      return sent!;
    }

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

    describe('messages and getConversation', () => {
      it('lists the transcript oldest first up to limit when messages were registered out of order', async () => {
        const at = aConversation();
        const [m1, m2, m3] = [at(T0 + 1000), at(T0 + 2000), at(T0 + 3000)];
        for (const m of [m3!, m1!, m2!]) await store.register(m, T0);

        expect((await store.messages(m1!.conversationId, { limit: 10 })).map((r) => r.message.id)).toEqual([m1!.id, m2!.id, m3!.id]);
        expect((await store.messages(m1!.conversationId, { limit: 2 })).map((r) => r.message.id)).toEqual([m2!.id, m3!.id]);
      });

      it('orders messages received in the same millisecond by their sending time', async () => {
        const at = aConversation();
        const late = { ...at(T0 + 1000), sentAt: T0 + 900 };
        const early = { ...at(T0 + 1000), sentAt: T0 + 100 };
        const next = at(T0 + 2000);
        for (const m of [late, next, early]) await store.register(m, T0);

        expect((await store.messages(next.conversationId, { limit: 10 })).map((r) => r.message.id)).toEqual([early.id, late.id, next.id]);
        expect((await store.history(next.conversationId, { before: T0 + 2000, limit: 1 })).map((r) => r.message.id)).toEqual([late.id]);
      });

      it('describes the conversation when its messages were registered', async () => {
        const at = aConversation();
        const first = at(T0 + 1000);
        const second = at(T0 + 2000);
        await store.register(first, T0 + 1100);
        await store.register(second, T0 + 2100);
        await store.register(second, T0 + 2200);

        expect(await store.getConversation(first.conversationId)).toEqual({
          id: first.conversationId,
          channel: 'whatsapp',
          accountId: first.accountId,
          participant: first.participant,
          createdAt: T0 + 1100,
          lastMessageAt: T0 + 2000,
          messageCount: 2,
        });
      });

      it('returns null when the conversation does not exist', async () => {
        expect(await store.getConversation(`c_missing_${randomUUID()}`)).toBeNull();
        expect(await store.messages(`c_missing_${randomUUID()}`, { limit: 10 })).toEqual([]);
      });
    });

    describe('applyStatus', () => {
      it('returns unknown when no stored reply has the outbound id', async () => {
        const message = aConversation()(T0);
        expect(await store.applyStatus(aStatus(message, `out-${randomUUID()}`, 'delivered'))).toBe('unknown');
      });

      it('never regresses the delivery when statuses arrive out of order', async () => {
        const message = aConversation()(T0);
        const outboundId = `out-${randomUUID()}`;
        await sentMessage(message, [outboundId]);

        expect(await store.applyStatus(aStatus(message, outboundId, 'read', { at: T0 + 3000 }))).toBe('applied');
        expect(await store.applyStatus(aStatus(message, outboundId, 'delivered', { at: T0 + 2000 }))).toBe('stale');
        expect(await store.applyStatus(aStatus(message, outboundId, 'sent', { at: T0 + 1000 }))).toBe('stale');
        expect(await store.applyStatus(aStatus(message, outboundId, 'read', { at: T0 + 4000 }))).toBe('stale');

        const [stored] = await store.messages(message.conversationId, { limit: 1 });
        expect(stored?.delivery).toMatchObject({ status: 'read', at: T0 + 3000 });
        expect(stored?.state).toBe('sent');
      });

      it('advances the delivery step by step and records the error code when statuses arrive in order', async () => {
        const message = aConversation()(T0);
        const outboundId = `out-${randomUUID()}`;
        await sentMessage(message, [`other-${randomUUID()}`, outboundId]);

        expect(await store.applyStatus(aStatus(message, outboundId, 'sent'))).toBe('applied');
        expect(await store.applyStatus(aStatus(message, outboundId, 'delivered'))).toBe('applied');
        expect(await store.applyStatus(aStatus(message, outboundId, 'failed', { errors: [{ code: 131047, title: 'Re-engagement' }] }))).toBe('applied');

        const [stored] = await store.messages(message.conversationId, { limit: 1 });
        expect(stored?.delivery).toMatchObject({ status: 'failed', errorCode: 131047 });
      });

      it('keeps the pricing category when a later status carries none', async () => {
        const message = aConversation()(T0);
        const outboundId = `out-${randomUUID()}`;
        await sentMessage(message, [outboundId]);

        await store.applyStatus(aStatus(message, outboundId, 'sent', { pricing: { billable: true, category: 'service' } }));
        await store.applyStatus(aStatus(message, outboundId, 'delivered'));
        await store.applyStatus(aStatus(message, outboundId, 'read'));

        const [stored] = await store.messages(message.conversationId, { limit: 1 });
        expect(stored?.delivery).toMatchObject({ status: 'read', pricingCategory: 'service' });
      });

      it('bumps the version so a writer holding the old version loses when a status is applied', async () => {
        const message = aConversation()(T0);
        const outboundId = `out-${randomUUID()}`;
        const sent = await sentMessage(message, [outboundId]);

        await store.applyStatus(aStatus(message, outboundId, 'delivered'));

        expect(await store.transition(message.conversationId, message.id, sent.version, { recorded: true })).toBeNull();
        expect((await store.register(message, T0)).record.delivery?.status).toBe('delivered');
      });
    });

    describe('findMessage and findByOutboundId', () => {
      it('reads the stored message by id and by an outbound id of its reply, without claiming anything', async () => {
        const message = aConversation()(T0);
        const outboundId = `out-${randomUUID()}`;
        const sent = await sentMessage(message, [outboundId]);

        expect(await store.findMessage(message.conversationId, message.id)).toEqual(sent);
        expect(await store.findByOutboundId(outboundId)).toEqual(sent);
        expect(await store.findByOutboundId(`out-${randomUUID()}`)).toBeNull();
        const unseen = aConversation()(T0);
        expect(await store.findMessage(unseen.conversationId, unseen.id)).toBeNull();
        // A read is not a claim: the unseen message is still new to `register`.
        expect((await store.register(unseen, T0)).created).toBe(true);
      });

      it('keeps a resolution and a window template send on the record', async () => {
        const message = aConversation()(T0);
        const { record } = await store.register(message, T0);
        const patch = {
          resolved: { status: 'delivered' as const, at: T0 + 5 },
          windowTemplate: { name: 'reengage', state: 'sent' as const, at: T0 + 6, outboundIds: ['wamid.t'] },
        };
        await store.transition(message.conversationId, message.id, record.version, patch);

        expect(await store.findMessage(message.conversationId, message.id)).toMatchObject(patch);
      });
    });

    describe('copies', () => {
      it('keeps the stored state when callers mutate what they passed in or got back', async () => {
        const message = aConversation()(T0);
        const { record } = await store.register(message, T0);
        const expected = structuredClone(record);

        message.participant.name = 'Mallory';
        (message.content as { body: string }).body = 'mutated input';
        record.state = 'failed';
        record.outboundIds.push('injected');
        record.message.id = 'other';
        const patch = { outboundIds: ['o-1'] };
        const next = await store.transition(expected.message.conversationId, expected.message.id, expected.version, patch);
        patch.outboundIds.push('o-2');
        next!.outboundIds.push('o-3');
        const [listed] = await store.messages(expected.message.conversationId, { limit: 1 });
        listed!.state = 'skipped';
        const [earlier] = await store.history(expected.message.conversationId, { before: T0 + 1, limit: 1 });
        earlier!.attempts = 99;
        const conversation = await store.getConversation(expected.message.conversationId);
        conversation!.messageCount = 42;
        conversation!.participant.name = 'Eve';

        const stored = (await store.register(expected.message, T0)).record;
        expect(stored).toEqual({ ...expected, outboundIds: ['o-1'], version: expected.version + 1 });
        expect(await store.getConversation(expected.message.conversationId)).toMatchObject({ messageCount: 1, participant: { name: 'Ada' } });
      });
    });

    describe('daily spend', () => {
      it('adds settled spend per channel and day atomically and reads 0 for a day without spend', async () => {
        const accountId = `acct-${randomUUID()}`;
        await Promise.all(Array.from({ length: 10 }, (_, i) => store.settleSpend(accountId, '2026-11-25', `m-${i}`, 0.125)));
        await store.settleSpend(accountId, '2026-11-26', 'm-a', 1);
        await store.settleSpend(`other-${accountId}`, '2026-11-25', 'm-b', 7);

        expect(await store.spendOf(accountId, '2026-11-25')).toBeCloseTo(1.25, 10);
        expect(await store.spendOf(accountId, '2026-11-26')).toBe(1);
        expect(await store.spendOf(accountId, '2026-11-24')).toBe(0);
      });

      it('grants racing reservations only while spent plus reserved plus the estimate stays within the cap', async () => {
        const accountId = `acct-${randomUUID()}`;
        await store.settleSpend(accountId, '2026-11-25', 'earlier', 0.5);

        const granted = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.reserveSpend(accountId, '2026-11-25', { key: `m-${i}`, usd: 0.25, until: T0 + 60_000 }, 1.3, T0)),
        );

        expect(granted.filter(Boolean)).toHaveLength(3);
        expect(await store.spendOf(accountId, '2026-11-25')).toBe(0.5);
        expect(await store.reserveSpend(`other-${accountId}`, '2026-11-25', { key: 'm-x', usd: 0.25, until: T0 + 60_000 }, 1.3, T0)).toBe(true);
      });

      it('replaces a reservation by the real cost when settled, frees it when released, and never counts one twice under its key', async () => {
        const accountId = `acct-${randomUUID()}`;
        const day = '2026-11-25';
        const reserve = (key: string, usd: number) => store.reserveSpend(accountId, day, { key, usd, until: T0 + 60_000 }, 1, T0);
        expect(await reserve('a', 0.5)).toBe(true);
        expect(await reserve('a', 0.5)).toBe(true);
        expect(await reserve('b', 0.5)).toBe(true);
        expect(await reserve('c', 0.1)).toBe(false);

        await store.settleSpend(accountId, day, 'a', 0.2);
        expect(await store.spendOf(accountId, day)).toBeCloseTo(0.2, 10);
        expect(await reserve('c', 0.3)).toBe(true);
        expect(await reserve('d', 0.1)).toBe(false);

        await store.settleSpend(accountId, day, 'b', 0);
        expect(await store.spendOf(accountId, day)).toBeCloseTo(0.2, 10);
        expect(await reserve('d', 0.5)).toBe(true);
      });

      it('stops counting a reservation whose holder did not settle it in time, and refuses at the cap even an estimate of 0', async () => {
        const accountId = `acct-${randomUUID()}`;
        const day = '2026-11-25';
        expect(await store.reserveSpend(accountId, day, { key: 'crashed', usd: 1, until: T0 + 1_000 }, 1, T0)).toBe(true);
        expect(await store.reserveSpend(accountId, day, { key: 'next', usd: 0.5, until: T0 + 61_000 }, 1, T0 + 999)).toBe(false);
        expect(await store.reserveSpend(accountId, day, { key: 'next', usd: 0.5, until: T0 + 61_000 }, 1, T0 + 1_000)).toBe(true);

        await store.settleSpend(accountId, day, 'next', 1);
        expect(await store.reserveSpend(accountId, day, { key: 'free', usd: 0, until: T0 + 61_000 }, 1, T0 + 2_000)).toBe(false);
      });
    });

    describe('participants', () => {
      /** One person on the API channel writing under conversation ids of their own. */
      function aParticipant(accountId = `acct-${randomUUID()}`) {
        const participant = { channel: 'api' as const, accountId, participantId: `user-${randomUUID()}` };
        return {
          participant,
          say: (conversationId: string, receivedAt: number, extra: Partial<InboundMessage> = {}) =>
            aMessage({ channel: 'api', accountId, conversationId, participant: { id: participant.participantId }, receivedAt, sentAt: receivedAt, ...extra }),
        };
      }

      it("finds every conversation a participant wrote in, whatever its id, and nobody else's", async () => {
        const ada = aParticipant();
        const bob = aParticipant(ada.participant.accountId);
        const [first, second, shared] = [`c_${randomUUID()}`, `c_${randomUUID()}`, `c_${randomUUID()}`];
        await store.register(ada.say(first, T0), T0);
        await store.register(ada.say(second, T0 + 1), T0);
        await store.register(ada.say(second, T0 + 2), T0);
        await store.register(ada.say(shared, T0 + 3), T0);
        await store.register(bob.say(shared, T0 + 4), T0);
        await store.register(bob.say(`c_${randomUUID()}`, T0 + 5), T0);

        const ids = async (participant: ParticipantRef) => (await store.conversationsOf(participant)).map((c) => c.id).sort();
        expect(await ids(ada.participant)).toEqual([first, second, shared].sort());
        expect(await store.conversationsOf(ada.participant)).toContainEqual(expect.objectContaining({ id: second, channel: 'api', accountId: ada.participant.accountId, messageCount: 2 }));
        expect(await ids({ ...ada.participant, channel: 'whatsapp' })).toEqual([]);
        expect(await ids({ ...ada.participant, accountId: `other-${ada.participant.accountId}` })).toEqual([]);

        await store.eraseConversation(second);
        expect(await ids(ada.participant)).toEqual([first, shared].sort());
        expect(await ids(bob.participant)).toHaveLength(2);
      });

      it("counts the participant's messages of a window across all their conversations, and tells whether another one got the limit reply", async () => {
        const ada = aParticipant();
        const bob = aParticipant(ada.participant.accountId);
        const messages = [0, 10_000, 20_000, 30_000].map((offset) => ada.say(`c_${randomUUID()}`, T0 + offset));
        for (const message of messages) await store.register(message, T0);
        await store.register(bob.say(messages[1]!.conversationId, T0 + 15_000), T0);
        const window = { after: T0 + 5_000, upTo: T0 + 30_000, except: messages[3]!.id, note: 'rate_limited' as const };

        expect(await store.participantWindow(ada.participant, window)).toEqual({ messages: 3, limitReplied: false });
        expect(await store.participantWindow(ada.participant, { ...window, upTo: T0 + 29_999 })).toEqual({ messages: 2, limitReplied: false });
        expect(await store.participantWindow(bob.participant, window)).toEqual({ messages: 1, limitReplied: false });

        const limited = (await store.register(messages[2]!, T0)).record;
        await store.transition(messages[2]!.conversationId, messages[2]!.id, limited.version, { state: 'answered', note: 'rate_limited', reply: { ...A_REPLY, kind: 'limit' } });
        expect(await store.participantWindow(ada.participant, window)).toEqual({ messages: 3, limitReplied: true });
        expect(await store.participantWindow(ada.participant, { ...window, except: messages[2]!.id })).toEqual({ messages: 3, limitReplied: false });
        expect(await store.participantWindow(ada.participant, { ...window, note: 'spend_capped' })).toEqual({ messages: 3, limitReplied: false });

        const silenced = (await store.register(messages[1]!, T0)).record;
        await store.transition(messages[1]!.conversationId, messages[1]!.id, silenced.version, { state: 'skipped', note: 'rate_limited' });
        expect(await store.participantWindow(ada.participant, { ...window, except: messages[2]!.id })).toEqual({ messages: 3, limitReplied: false });
      });
    });

    describe('channel settings', () => {
      it('returns null for a channel without settings and the saved document after a save', async () => {
        const accountId = `acct-${randomUUID()}`;
        expect(await store.channelSettings(accountId)).toBeNull();

        const settings = { accountId, systemPrompt: 'Be brief.', model: 'gpt-4o-mini', temperature: 0.2, windowTemplate: { name: 'hello', language: 'en' }, updatedAt: T0 };
        await store.saveChannelSettings(settings);
        expect(await store.channelSettings(accountId)).toEqual(settings);

        await store.saveChannelSettings({ accountId, fallbackText: 'Later!', updatedAt: T0 + 1 });
        expect(await store.channelSettings(accountId)).toEqual({ accountId, fallbackText: 'Later!', updatedAt: T0 + 1 });
      });

      it('keeps the settings of accounts apart when their ids contain / or dots', async () => {
        const base = `acct-${randomUUID()}`;
        const ids = [`${base}/a`, `${base}%2Fa`, `${base}.`];
        for (const [i, accountId] of ids.entries()) await store.saveChannelSettings({ accountId, maxReplyTokens: i + 1, updatedAt: T0 });

        for (const [i, accountId] of ids.entries()) expect(await store.channelSettings(accountId)).toEqual({ accountId, maxReplyTokens: i + 1, updatedAt: T0 });
      });

      it('lists every channel with settings, ordered by account id, when asked for all', async () => {
        const base = `acct-${randomUUID()}`;
        await store.saveChannelSettings({ accountId: `${base}-b`, systemPrompt: 'B', updatedAt: T0 });
        await store.saveChannelSettings({ accountId: `${base}-a`, systemPrompt: 'A', updatedAt: T0 });
        await store.saveChannelSettings({ accountId: `${base}-a`, systemPrompt: 'A2', updatedAt: T0 + 1 });

        const mine = (await store.listChannelSettings()).filter((s) => s.accountId.startsWith(base));
        expect(mine).toEqual([
          { accountId: `${base}-a`, systemPrompt: 'A2', updatedAt: T0 + 1 },
          { accountId: `${base}-b`, systemPrompt: 'B', updatedAt: T0 },
        ]);
      });
    });

    describe('eraseConversation', () => {
      it('deletes the conversation, its messages and their delivery pointers, and counts the messages', async () => {
        const next = aConversation();
        const first = next(T0);
        await sentMessage(first, [`out-${randomUUID()}`]);
        const second = next(T0 + 1);
        const outboundId = `out-${randomUUID()}`;
        await sentMessage(second, [outboundId]);
        const other = aConversation(first.accountId)(T0);
        await store.register(other, T0);

        expect(await store.eraseConversation(first.conversationId)).toEqual({ messages: 2 });

        expect(await store.getConversation(first.conversationId)).toBeNull();
        expect(await store.messages(first.conversationId, { limit: 10 })).toEqual([]);
        expect(await store.applyStatus(aStatus(second, outboundId, 'read'))).toBe('unknown');
        expect(await store.messages(other.conversationId, { limit: 10 })).toHaveLength(1);
        expect(await store.eraseConversation(first.conversationId)).toEqual({ messages: 0 });
      });

      it('answers a redelivery of an erased message as a recorded skip it does not store again', async () => {
        const message = aConversation()(T0);
        await sentMessage(message, []);
        await store.eraseConversation(message.conversationId);

        const { created, record } = await store.register(message, T0 + 5);

        expect(created).toBe(false);
        expect(record).toMatchObject({ state: 'skipped', recorded: true, note: 'erased' });
        expect(nextStep(record, T0 + 5)).toBe('done');
        expect(await store.getConversation(message.conversationId)).toBeNull();
        expect(await store.messages(message.conversationId, { limit: 10 })).toEqual([]);
      });
    });
  });
}
