import { describe, expect, it } from 'vitest';
import { InMemoryMessageBus } from '../../../src/adapters/memory/in-memory-message-bus.js';
import { MessageInProgressError } from '../../../src/domain/model/errors.js';
import { AcceptWhatsAppNotification } from '../../../src/domain/use-cases/accept-whatsapp-notification.js';
import { replyHarness, type ReplyHarness } from '../../support/reply-harness.js';

/** Puts a message in `state` as a crashed delivery would have left it. */
async function leaveIn(h: ReplyHarness, state: 'generating' | 'sending', leaseFromNow: number) {
  const message = h.message();
  const { record } = await h.store.register(message, h.clock.now());
  let version = record.version;
  if (state === 'sending') {
    const answered = await h.store.transition(message.conversationId, message.id, version, {
      state: 'answered',
      attempts: 1,
      reply: { text: 'stored reply', kind: 'ai', model: 'm', usage: { prompt: 1, completion: 1 }, costUsd: 0, latencyMs: 5, createdAt: h.clock.now() },
    });
    version = answered!.version;
  }
  await h.store.transition(message.conversationId, message.id, version, {
    state,
    leaseUntil: h.clock.now() + leaseFromNow,
    ...(state === 'generating' ? { attempts: 1 } : { sendAttempts: 1 }),
  });
  return message;
}

describe('ReplyToMessage', () => {
  describe('redelivery', () => {
    it('calls the model once, sends once and records once when the same message is delivered 10 times, 5 of them concurrently', async () => {
      const h = replyHarness();
      h.model.slowBy(50);
      const message = h.message();

      const concurrent = await Promise.allSettled(Array.from({ length: 5 }, () => h.useCase.execute(message)));
      const sequential = [];
      for (let i = 0; i < 5; i++) sequential.push(await h.useCase.execute(message));

      const fulfilled = concurrent.filter((r) => r.status === 'fulfilled');
      const rejected = concurrent.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(4);
      for (const r of rejected) expect(r.reason).toBeInstanceOf(MessageInProgressError);
      expect(sequential.map((o) => [o.state, o.firstDelivery])).toEqual(Array.from({ length: 5 }, () => ['sent', false]));
      expect(h.model.calls).toBe(1);
      expect(h.channel.attempts).toHaveLength(1);
      expect(h.channel.sent).toHaveLength(1);
      expect(await h.stored(message)).toMatchObject({ state: 'sent', attempts: 1, sendAttempts: 1, recorded: true });
      expect(await h.published()).toMatchObject([{ eventId: `message:whatsapp:${message.id}`, outcome: 'sent' }]);
    });

    it('answers once when the inbound bus hands the message to 10 concurrent deliveries', async () => {
      const h = replyHarness();
      h.model.slowBy(20);
      const inbound = new InMemoryMessageBus({ redeliveryDelayMs: 5, duplicates: 10 });
      const handled: number[] = [];
      inbound.subscribe('inbound', async ({ event, deliveryAttempt }) => {
        handled.push(deliveryAttempt);
        if (event.kind === 'message') await h.useCase.execute(event.message);
      });
      const message = h.message();

      await new AcceptWhatsAppNotification(inbound).execute({ messages: [message], statuses: [] });
      await inbound.idle();

      expect(handled.filter((attempt) => attempt === 1)).toHaveLength(10);
      expect(handled.length).toBeGreaterThan(10);
      expect(inbound.deadLetters('inbound')).toEqual([]);
      expect(h.model.calls).toBe(1);
      expect(h.channel.sent).toHaveLength(1);
      expect(await h.stored(message)).toMatchObject({ state: 'sent', recorded: true });
      expect((await h.published()).map((e) => e.eventId)).toEqual([`message:whatsapp:${message.id}`]);
    });

    it('sends the stored reply without calling the model when a delivery died after storing it', async () => {
      const h = replyHarness();
      const message = h.message();
      const { record } = await h.store.register(message, h.clock.now());
      await h.store.transition(message.conversationId, message.id, record.version, {
        state: 'answered',
        reply: { text: 'already generated', kind: 'ai', model: 'm', usage: { prompt: 3, completion: 4 }, costUsd: 0.5, latencyMs: 10, createdAt: h.clock.now() },
      });

      const outcome = await h.useCase.execute(message);

      expect(outcome).toEqual({ messageId: message.id, state: 'sent', firstDelivery: true });
      expect(h.model.calls).toBe(0);
      expect(h.channel.sent.map((s) => s.reply.text)).toEqual(['already generated']);
    });
  });

  describe('leases', () => {
    it('takes over and answers a generating message when its lease has expired', async () => {
      const h = replyHarness();
      const message = await leaveIn(h, 'generating', h.policy.leaseMs);
      h.clock.advance(h.policy.leaseMs + 1);

      const outcome = await h.useCase.execute(message);

      expect(outcome.state).toBe('sent');
      expect(h.model.calls).toBe(1);
      expect(h.channel.sent).toHaveLength(1);
      expect(await h.stored(message)).toMatchObject({ state: 'sent', attempts: 2, leaseUntil: 0 });
    });

    it('rejects with MessageInProgressError and calls no model when a generating lease is live', async () => {
      const h = replyHarness();
      const message = await leaveIn(h, 'generating', h.policy.leaseMs);
      h.clock.advance(h.policy.leaseMs - 1);
      const before = await h.stored(message);

      await expect(h.useCase.execute(message)).rejects.toBeInstanceOf(MessageInProgressError);

      expect(h.model.calls).toBe(0);
      expect(h.channel.attempts).toEqual([]);
      expect(await h.stored(message)).toEqual(before);
    });

    it('marks send-unknown and never resends when a sending lease has expired', async () => {
      const h = replyHarness();
      const message = await leaveIn(h, 'sending', h.policy.leaseMs);
      h.clock.advance(h.policy.leaseMs + 1);

      const outcome = await h.useCase.execute(message);
      h.clock.advance(h.policy.leaseMs * 10);
      const again = await h.useCase.execute(message);

      expect(outcome.state).toBe('send-unknown');
      expect(again.state).toBe('send-unknown');
      expect(h.channel.attempts).toEqual([]);
      expect(h.model.calls).toBe(0);
      expect(await h.stored(message)).toMatchObject({
        state: 'send-unknown',
        leaseUntil: 0,
        recorded: true,
        failure: { stage: 'send', reason: 'send_outcome_unknown' },
        reply: { text: 'stored reply' },
      });
      expect(await h.published()).toMatchObject([{ outcome: 'send-unknown', failureReason: 'send_outcome_unknown' }]);
    });

    it('rejects with MessageInProgressError and sends nothing when a sending lease is live', async () => {
      const h = replyHarness();
      const message = await leaveIn(h, 'sending', h.policy.leaseMs);

      await expect(h.useCase.execute(message)).rejects.toBeInstanceOf(MessageInProgressError);

      expect(h.channel.attempts).toEqual([]);
      expect((await h.stored(message))?.state).toBe('sending');
    });
  });
});

