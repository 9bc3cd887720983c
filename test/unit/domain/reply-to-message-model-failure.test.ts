import { describe, expect, it } from 'vitest';
import { CompletionError } from '../../../src/domain/ports/completion-model.js';
import { ReplySendError } from '../../../src/domain/ports/reply-channel.js';
import { replyHarness } from '../../support/reply-harness.js';

describe('ReplyToMessage', () => {
  describe('model failures', () => {
    it('rejects and returns the message to received, then answers on the next delivery, when the model fails retryably once', async () => {
      const h = replyHarness();
      h.model.failNext(1, { retryable: true });
      const message = h.message();

      await expect(h.useCase.execute(message)).rejects.toMatchObject({ constructor: CompletionError, retryable: true });
      expect(await h.stored(message)).toMatchObject({
        state: 'received',
        attempts: 1,
        leaseUntil: 0,
        failure: { stage: 'generate', reason: 'completion_failed' },
      });
      expect(h.channel.attempts).toEqual([]);
      expect(await h.published()).toEqual([]);

      const outcome = await h.useCase.execute(message);

      expect(outcome.state).toBe('sent');
      const record = await h.stored(message);
      expect(record).toMatchObject({ state: 'sent', attempts: 2, reply: { kind: 'ai' } });
      expect(record).not.toHaveProperty('failure');
      expect(h.channel.sent.map((s) => s.reply.text)).toEqual([record!.reply!.text]);
      const [event] = await h.published();
      expect(event).toMatchObject({ outcome: 'sent', replyKind: 'ai' });
      expect(event).not.toHaveProperty('failureReason');
    });

    it('sends the fallback exactly once and records the failure when the model fails on every attempt up to maxAttempts', async () => {
      const h = replyHarness({ maxAttempts: 3 });
      h.model.failNext(3, { retryable: true });
      const message = h.message();

      for (let attempt = 1; attempt < 3; attempt++) {
        await expect(h.useCase.execute(message)).rejects.toBeInstanceOf(CompletionError);
        expect(await h.stored(message)).toMatchObject({ state: 'received', attempts: attempt });
        expect(h.channel.attempts).toEqual([]);
      }
      const outcome = await h.useCase.execute(message);
      await h.useCase.execute(message);

      expect(outcome.state).toBe('sent');
      expect(h.model.calls).toBe(3);
      expect(h.channel.sent.map((s) => s.reply.text)).toEqual([h.policy.fallbackText]);
      expect(await h.stored(message)).toMatchObject({
        state: 'sent',
        attempts: 3,
        reply: { kind: 'fallback', text: h.policy.fallbackText, costUsd: 0 },
        failure: { stage: 'generate', reason: 'completion_failed' },
      });
      expect(await h.published()).toMatchObject([{ outcome: 'sent', replyKind: 'fallback', failureReason: 'completion_failed', costUsd: 0 }]);
    });

    it('sends the fallback at once when the model failure is not retryable', async () => {
      const h = replyHarness();
      h.model.failNext(1, { retryable: false, message: 'content policy' });
      const message = h.message();

      const outcome = await h.useCase.execute(message);

      expect(outcome.state).toBe('sent');
      expect(h.model.calls).toBe(1);
      expect(h.channel.sent.map((s) => s.reply.text)).toEqual([h.policy.fallbackText]);
      expect(await h.stored(message)).toMatchObject({ attempts: 1, reply: { kind: 'fallback' }, failure: { stage: 'generate', reason: 'completion_failed' } });
      expect(await h.published()).toMatchObject([{ replyKind: 'fallback', failureReason: 'completion_failed' }]);
    });

    it('keeps the generate failure of a fallback reply when a retryable send failure happened before the send succeeded', async () => {
      const h = replyHarness();
      h.model.failNext(1, { retryable: false });
      h.channel.failNext(1, true);
      const message = h.message();

      await expect(h.useCase.execute(message)).rejects.toBeInstanceOf(ReplySendError);
      const outcome = await h.useCase.execute(message);

      expect(outcome.state).toBe('sent');
      expect(h.channel.sent.map((s) => s.reply.text)).toEqual([h.policy.fallbackText]);
      expect(await h.stored(message)).toMatchObject({ reply: { kind: 'fallback' }, failure: { stage: 'generate', reason: 'completion_failed' } });
      expect(await h.published()).toMatchObject([{ outcome: 'sent', replyKind: 'fallback', failureReason: 'completion_failed' }]);
    });

    it('records the reason unexpected-error when the model throws something that is not a domain error', async () => {
      const h = replyHarness();
      const message = h.message();
      h.model.complete = async () => {
        throw new TypeError('boom');
      };

      await expect(h.useCase.execute(message)).rejects.toBeInstanceOf(TypeError);

      expect(await h.stored(message)).toMatchObject({ state: 'received', failure: { stage: 'generate', reason: 'unexpected_error' } });
    });
  });
});
