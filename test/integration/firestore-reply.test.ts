import { ScriptedTranscriber } from '../support/scripted-transcriber.js';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createFirestore, FirestoreChatStore } from '../../src/adapters/firestore/firestore-chat-store.js';
import { InMemoryMessageBus } from '../../src/adapters/memory/in-memory-message-bus.js';
import { ScriptedCompletionModel } from '../../src/adapters/scripted/scripted-completion-model.js';
import { MessageInProgressError } from '../../src/domain/model/errors.js';
import type { InteractionEvent } from '../../src/domain/model/interaction.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import type { Reply } from '../../src/domain/model/reply.js';
import { AcceptWhatsAppNotification } from '../../src/domain/use-cases/accept-whatsapp-notification.js';
import { ReplyToMessage } from '../../src/domain/use-cases/reply-to-message.js';
import { aMessage } from '../support/builders.js';
import { FixedClock } from '../support/fixed-clock.js';
import { RecordingReplyChannel } from '../support/recording-reply-channel.js';
import { TEST_POLICY, testTokens } from '../support/reply-harness.js';

const db = createFirestore(inject('emulatorProject'), { emulatorHost: inject('firestoreEmulatorHost') });
afterAll(() => db.terminate());
const collectionPrefix = `t_${randomUUID().slice(0, 8)}_`;

/** ReplyToMessage on the Firestore emulator, with the scripted model, a recording channel and a hand-moved clock. */
function harness() {
  const store = new FirestoreChatStore(db, { collectionPrefix });
  const model = new ScriptedCompletionModel();
  const channel = new RecordingReplyChannel();
  const bus = new InMemoryMessageBus({ redeliveryDelayMs: 5 });
  const clock = new FixedClock();
  const interactions: InteractionEvent[] = [];
  bus.subscribe('interactions', async ({ event }) => void interactions.push(event));
  const useCase = new ReplyToMessage(store, model, channel, bus, clock, TEST_POLICY, testTokens(), new ScriptedTranscriber());
  return {
    store,
    model,
    channel,
    clock,
    useCase,
    message: (overrides: Parameters<typeof aMessage>[0] = {}) => aMessage({ receivedAt: clock.now(), sentAt: clock.now() - 500, ...overrides }),
    stored: async (message: InboundMessage) => (await store.register(message, clock.now())).record,
    published: async () => {
      await bus.idle();
      return interactions;
    },
  };
}
type Harness = ReturnType<typeof harness>;

const STORED_REPLY: Reply = { text: 'already generated', kind: 'ai', model: 'm', usage: { prompt: 3, completion: 4 }, costUsd: 0.5, latencyMs: 10, createdAt: 0 };

/** Leaves a message as a delivery that crashed in `state` would have left it. */
async function leaveIn(h: Harness, state: 'generating' | 'answered' | 'sending', leaseFromNow = TEST_POLICY.leaseMs) {
  const message = h.message();
  const { record } = await h.store.register(message, h.clock.now());
  const generating = await h.store.transition(message.conversationId, message.id, record.version, {
    state: 'generating',
    attempts: 1,
    leaseUntil: h.clock.now() + leaseFromNow,
  });
  if (state === 'generating') return { message, held: generating! };
  const answered = await h.store.transition(message.conversationId, message.id, generating!.version, { state: 'answered', leaseUntil: 0, reply: STORED_REPLY });
  if (state === 'answered') return { message, held: answered! };
  const sending = await h.store.transition(message.conversationId, message.id, answered!.version, {
    state: 'sending',
    sendAttempts: 1,
    leaseUntil: h.clock.now() + leaseFromNow,
  });
  return { message, held: sending! };
}

describe('ReplyToMessage on Firestore', () => {
  describe('redelivery', () => {
    it('calls the model once and sends once when the same message is delivered 10 times concurrently', async () => {
      const h = harness();
      h.model.slowBy(200);
      const message = h.message();

      const concurrent = await Promise.allSettled(Array.from({ length: 10 }, () => h.useCase.execute(message)));
      const later = await h.useCase.execute(message);

      const fulfilled = concurrent.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const rejected = concurrent.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(fulfilled.map((o) => o.state)).toContain('sent');
      for (const reason of rejected) expect(reason).toBeInstanceOf(MessageInProgressError);
      expect(later).toEqual({ messageId: message.id, state: 'sent', firstDelivery: false });
      expect(h.model.calls).toBe(1);
      expect(h.channel.attempts).toHaveLength(1);
      expect(await h.stored(message)).toMatchObject({ state: 'sent', attempts: 1, sendAttempts: 1, leaseUntil: 0, recorded: true, outboundIds: h.channel.sent[0]!.outboundIds });
      expect(await h.store.getConversation(message.conversationId)).toMatchObject({ messageCount: 1 });
      // A racing delivery may publish the interaction twice; ingestion is idempotent by event id.
      expect(new Set((await h.published()).map((e) => e.eventId))).toEqual(new Set([`message:whatsapp:${message.id}`]));
    });

    it('answers once when the inbound bus hands the message to 10 concurrent deliveries and redelivers the nacked ones', async () => {
      const h = harness();
      h.model.slowBy(20);
      const inbound = new InMemoryMessageBus({ redeliveryDelayMs: 20, maxDeliveryAttempts: 10, duplicates: 10 });
      inbound.subscribe('inbound', async ({ event }) => {
        if (event.kind === 'message') await h.useCase.execute(event.message);
      });
      const message = h.message();

      await new AcceptWhatsAppNotification(inbound).execute({ messages: [message], statuses: [] });
      await inbound.idle();

      expect(inbound.deadLetters('inbound')).toEqual([]);
      expect(h.model.calls).toBe(1);
      expect(h.channel.sent).toHaveLength(1);
      expect(await h.stored(message)).toMatchObject({ state: 'sent', recorded: true });
    });

    it('gives the model the earlier messages and replies stored in Firestore when a conversation goes on', async () => {
      const h = harness();
      const first = h.message({ text: 'first question' });
      await h.useCase.execute(first);
      h.clock.advance(1000);
      const second = h.message({ participant: first.participant, text: 'second question' });

      await h.useCase.execute(second);

      const firstReply = h.channel.sent[0]!.reply.text;
      expect(h.model.requests[1]!.turns).toEqual([
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: firstReply },
        { role: 'user', content: 'second question' },
      ]);
      expect(await h.store.getConversation(first.conversationId)).toMatchObject({ messageCount: 2, lastMessageAt: second.receivedAt });
    });
  });

  describe('leases', () => {
    it('waits while a generating lease is live and takes the message over once it has expired', async () => {
      const h = harness();
      const { message, held } = await leaveIn(h, 'generating');

      h.clock.advance(TEST_POLICY.leaseMs - 1);
      await expect(h.useCase.execute(message)).rejects.toBeInstanceOf(MessageInProgressError);
      expect(h.model.calls).toBe(0);

      h.clock.advance(2);
      const outcome = await h.useCase.execute(message);
      const staleHolderWrite = await h.store.transition(message.conversationId, message.id, held.version, { state: 'answered', leaseUntil: 0, reply: STORED_REPLY });

      expect(outcome).toEqual({ messageId: message.id, state: 'sent', firstDelivery: true });
      expect(staleHolderWrite).toBeNull();
      expect(h.model.calls).toBe(1);
      expect(h.channel.sent).toHaveLength(1);
      const stored = await h.stored(message);
      expect(stored).toMatchObject({ state: 'sent', attempts: 2, leaseUntil: 0, recorded: true });
      expect(stored.reply?.text).toBe(h.channel.sent[0]!.reply.text);
    });

    it('lets one of 10 concurrent deliveries take over an expired generating lease', async () => {
      const h = harness();
      h.model.slowBy(200);
      const { message } = await leaveIn(h, 'generating');
      h.clock.advance(TEST_POLICY.leaseMs + 1);

      const results = await Promise.allSettled(Array.from({ length: 10 }, () => h.useCase.execute(message)));

      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(MessageInProgressError);
      expect(h.model.calls).toBe(1);
      expect(h.channel.sent).toHaveLength(1);
      expect(await h.stored(message)).toMatchObject({ state: 'sent', attempts: 2, sendAttempts: 1 });
    });
  });

  describe('crash recovery', () => {
    it('sends the stored reply without regenerating it when a delivery died between answered and sending', async () => {
      const h = harness();
      const { message } = await leaveIn(h, 'answered');

      const results = await Promise.allSettled(Array.from({ length: 5 }, () => h.useCase.execute(message)));
      const again = await h.useCase.execute(message);

      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(MessageInProgressError);
      expect(again.state).toBe('sent');
      expect(h.model.calls).toBe(0);
      expect(h.channel.attempts.map((a) => a.text)).toEqual(['already generated']);
      expect(await h.stored(message)).toMatchObject({ state: 'sent', attempts: 1, sendAttempts: 1, reply: STORED_REPLY, recorded: true });
    });

    it('marks send-unknown and never resends when a delivery died while sending', async () => {
      const h = harness();
      const { message } = await leaveIn(h, 'sending');
      h.clock.advance(TEST_POLICY.leaseMs + 1);

      const outcome = await h.useCase.execute(message);
      h.clock.advance(TEST_POLICY.leaseMs * 10);
      const again = await h.useCase.execute(message);

      expect([outcome.state, again.state]).toEqual(['send-unknown', 'send-unknown']);
      expect(h.channel.attempts).toEqual([]);
      expect(h.model.calls).toBe(0);
      expect(await h.stored(message)).toMatchObject({
        state: 'send-unknown',
        leaseUntil: 0,
        recorded: true,
        failure: { stage: 'send', reason: 'send_outcome_unknown' },
        reply: STORED_REPLY,
      });
      expect(await h.published()).toMatchObject([{ outcome: 'send-unknown', failureReason: 'send_outcome_unknown' }]);
    });
  });
});
