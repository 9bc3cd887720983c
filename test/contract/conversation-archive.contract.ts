import { beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { BOT_HANDOFF } from '../../src/domain/model/handoff.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import { nextStep } from '../../src/domain/model/message-record.js';
import { positionOf, type ConversationArchive, type ParticipantRef, type TranscriptPosition } from '../../src/domain/ports/conversation-archive.js';
import type { MessageLog } from '../../src/domain/ports/message-log.js';
import { aMessage } from '../support/builders.js';
import { aConversation, aStatus, A_REPLY, freshStore, sentMessage as sentTo, T0, type MakeChatStore } from './chat-store.fixture.js';

/** The shared cases every ConversationArchive implementation must pass: transcripts, participants, erasure. */
export function conversationArchiveContract(name: string, make: MakeChatStore): void {
  describe(`${name} as ConversationArchive`, () => {
    const current = freshStore(make);
    // Each case fills the archive through the MessageLog, as the worker does.
    let store: ConversationArchive & MessageLog;
    beforeEach(() => {
      store = current();
    });

    const sentMessage = (message: InboundMessage, outboundIds: string[]) => sentTo(store, message, outboundIds);

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
          // Nothing handed it to a person: the bot answers it.
          handoff: BOT_HANDOFF,
        });
      });

      it('returns null when the conversation does not exist', async () => {
        expect(await store.getConversation(`c_missing_${randomUUID()}`)).toBeNull();
        expect(await store.messages(`c_missing_${randomUUID()}`, { limit: 10 })).toEqual([]);
      });
    });

    describe('messagesAfter (the transcript page by page)', () => {
      it('walks every message once, oldest first, whatever the page size, ties on both times included', async () => {
        const at = aConversation();
        // Three messages share a reception and a sending time: the id orders them.
        const tied = [1, 2, 3].map(() => ({ ...at(T0 + 2000), sentAt: T0 + 1500 }));
        const messages = [at(T0 + 1000), ...tied, { ...at(T0 + 2000), sentAt: T0 + 1900 }, at(T0 + 3000), at(T0 + 4000)];
        for (const m of messages.toSorted(() => Math.random() - 0.5)) await store.register(m, T0);
        const conversationId = messages[0]!.conversationId;
        const all = await store.messagesAfter(conversationId, { limit: 100 });
        expect(all.map((r) => r.message.id).toSorted()).toEqual(messages.map((m) => m.id).toSorted());
        const order = all.map((r) => [r.message.receivedAt, r.message.sentAt]);
        expect(order).toEqual(order.toSorted((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
        expect(all.at(-1)!.message.id).toBe(messages.at(-1)!.id);

        for (const size of [1, 2, 3]) {
          const walked: string[] = [];
          let after: TranscriptPosition | undefined;
          for (let pages = 0; pages < 20; pages++) {
            const page = await store.messagesAfter(conversationId, { ...(after ? { after } : {}), limit: size });
            expect(page.length).toBeLessThanOrEqual(size);
            if (page.length === 0) break;
            walked.push(...page.map((r) => r.message.id));
            after = positionOf(page.at(-1)!);
          }
          expect(walked, `pages of ${size}`).toEqual(all.map((r) => r.message.id));
        }
      });

      it('answers nothing for a conversation that does not exist, and after its last message', async () => {
        expect(await store.messagesAfter(`c_missing_${randomUUID()}`, { limit: 10 })).toEqual([]);
        const message = aConversation()(T0 + 1000);
        await store.register(message, T0);
        const [only] = await store.messagesAfter(message.conversationId, { limit: 10 });
        expect(only!.message.id).toBe(message.id);
        expect(await store.messagesAfter(message.conversationId, { after: positionOf(only!), limit: 10 })).toEqual([]);
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
