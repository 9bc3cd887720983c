import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../../src/domain/model/message.js';
import type { Completion, CompletionModel, CompletionRequest } from '../../../src/domain/ports/completion-model.js';
import { OUTSIDE_SERVICE_WINDOW, ReplySendError } from '../../../src/domain/ports/reply-channel.js';
import { ReplyToMessage } from '../../../src/domain/use-cases/reply-to-message.js';
import { replyHarness, type ReplyHarness, testTokens } from '../../support/reply-harness.js';

const WHATSAPP_MAX = 4096;
const LONG_MODEL = 'long-winded-v1';

/** About 10,000 characters of numbered sentences, so every word can be followed across the parts. */
function aLongReply(): string {
  const sentences: string[] = [];
  for (let i = 0; sentences.join(' ').length < 10_000; i++) sentences.push(`Sentence ${i} explains step ${i} of the return process in detail.`);
  return sentences.join(' ').slice(0, 10_000).trimEnd();
}

/** A model that answers every prompt with the same text, and notes what the channel had acknowledged when it was called. */
class FixedTextModel implements CompletionModel {
  readonly acknowledgedWhenCalled: string[][] = [];
  calls = 0;

  constructor(
    private readonly text: string,
    private readonly h: ReplyHarness,
  ) {}

  async complete(_request: CompletionRequest): Promise<Completion> {
    this.calls += 1;
    this.acknowledgedWhenCalled.push([...this.h.channel.acknowledged]);
    return { text: this.text, model: LONG_MODEL, usage: { prompt: 12, completion: Math.ceil(this.text.length / 4) } };
  }
}

/** The harness (store, recording channel, bus, clock, policy) with a model answering `text`. */
function withModelAnswering(text: string) {
  const h = replyHarness();
  const model = new FixedTextModel(text, h);
  const useCase = new ReplyToMessage(h.store, model, h.channel, h.bus, h.clock, h.policy, testTokens(), h.transcriber);
  return { ...h, model, useCase };
}

const wordsOf = (text: string) => text.split(/\s+/).filter(Boolean);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected the delivery to reject'),
    (error: unknown) => error,
  );
}

describe('ReplyToMessage', () => {
  describe('long replies', () => {
    it('sends a 10,000-character reply as 3 ordered parts within the WhatsApp limit and records the 3 outbound ids', async () => {
      const text = aLongReply();
      expect(text).toHaveLength(10_000);
      const h = withModelAnswering(text);
      const message = h.message({ text: 'How do returns work?' });

      const outcome = await h.useCase.execute(message);

      expect(outcome).toEqual({ messageId: message.id, state: 'sent', firstDelivery: true });
      expect(h.model.calls).toBe(1);
      const sent = h.channel.sent.map(({ reply }) => reply);
      expect(sent.map((reply) => reply.part)).toEqual([0, 1, 2]);
      expect(h.channel.attempts).toHaveLength(3);
      for (const reply of sent) {
        expect(reply.inReplyTo).toEqual(message);
        expect(reply.text.length).toBeGreaterThan(0);
        expect(reply.text.length).toBeLessThanOrEqual(WHATSAPP_MAX);
      }
      expect(wordsOf(sent.map((reply) => reply.text).join(' '))).toEqual(wordsOf(text));
      // Parts end at sentence ends, never in the middle of a word.
      for (const reply of sent.slice(0, -1)) expect(reply.text).toMatch(/\.$/);

      const record = await h.stored(message);
      expect(record).toMatchObject({ state: 'sent', sendAttempts: 1, leaseUntil: 0, recorded: true });
      expect(record?.reply?.text).toBe(text);
      expect(record?.outboundIds).toHaveLength(3);
      expect(record?.outboundIds).toEqual(h.channel.sent.flatMap(({ outboundIds }) => outboundIds));
      expect(record).not.toHaveProperty('failure');
      expect(await h.published()).toMatchObject([{ messageId: message.id, outcome: 'sent', replyKind: 'ai', model: LONG_MODEL }]);
    });

    it('writes each part\'s outbound id as it goes and the last one in the same write as `sent`: one write per part', async () => {
      for (const [text, parts] of [[aLongReply(), 3], ['A short answer.', 1]] as const) {
        const h = withModelAnswering(text);
        const message = h.message({ text: 'How do returns work?' });
        const patches: Record<string, unknown>[] = [];
        const transition = h.store.transition.bind(h.store);
        h.store.transition = (conversationId, messageId, version, patch) => {
          patches.push(patch);
          return transition(conversationId, messageId, version, patch);
        };

        await h.useCase.execute(message);

        const sending = patches.findIndex((patch) => patch.state === 'sending');
        const sendWrites = patches.slice(sending + 1).filter((patch) => !('recorded' in patch));
        expect(sendWrites.map((patch) => [(patch.outboundIds as string[] | undefined)?.length, patch.state])).toEqual(
          Array.from({ length: parts }, (_, i) => [i + 1, i === parts - 1 ? 'sent' : undefined]),
        );
        expect((await h.stored(message))?.state).toBe('sent');
      }
    });

    it('sends a reply within the limit as a single part 0', async () => {
      const h = withModelAnswering('Returns are free within 30 days.');
      const message = h.message();

      await h.useCase.execute(message);

      expect(h.channel.sent.map(({ reply }) => [reply.part, reply.text])).toEqual([[0, 'Returns are free within 30 days.']]);
      expect((await h.stored(message))?.outboundIds).toHaveLength(1);
    });

    it('resends only the part that failed, not the parts already sent, when a retryable failure hits part 2', async () => {
      const h = withModelAnswering(aLongReply());
      h.channel.succeedNext(2).failNext(1, true);
      const message = h.message();

      const error = await rejection(h.useCase.execute(message));

      expect(error).toBeInstanceOf(ReplySendError);
      expect(error).toMatchObject({ retryable: true });
      expect(h.channel.attempts.map((reply) => reply.part)).toEqual([0, 1, 2]);
      const afterFailure = await h.stored(message);
      expect(afterFailure).toMatchObject({ state: 'answered', sendAttempts: 1, leaseUntil: 0, failure: { stage: 'send', reason: 'reply_send_failed' } });
      expect(afterFailure?.outboundIds).toEqual(h.channel.sent.flatMap(({ outboundIds }) => outboundIds));
      expect(afterFailure?.outboundIds).toHaveLength(2);
      expect(await h.published()).toEqual([]);

      const outcome = await h.useCase.execute(message);

      // This delivery did work (it sent part 2), so it counts as acting on the message.
      expect(outcome).toEqual({ messageId: message.id, state: 'sent', firstDelivery: true });
      expect(h.model.calls).toBe(1);
      expect(h.channel.attempts.map((reply) => reply.part)).toEqual([0, 1, 2, 2]);
      expect(h.channel.attempts[3]!.text).toBe(h.channel.attempts[2]!.text);
      expect(h.channel.sent.map(({ reply }) => reply.part)).toEqual([0, 1, 2]);
      const record = await h.stored(message);
      expect(record).toMatchObject({ state: 'sent', sendAttempts: 2, recorded: true });
      expect(record).not.toHaveProperty('failure');
      expect(record?.outboundIds).toHaveLength(3);
      expect(record?.outboundIds).toEqual(h.channel.sent.flatMap(({ outboundIds }) => outboundIds));
      expect(h.channel.acknowledged).toEqual([message.id]);
      expect(await h.published()).toMatchObject([{ messageId: message.id, outcome: 'sent' }]);
    });
  });

  describe('acknowledging', () => {
    it('acknowledges a text message once, before the model is called, and not again when it is delivered again', async () => {
      const h = withModelAnswering('Yes, we are open on Sunday.');
      const message = h.message({ text: 'Open on Sunday?' });

      await h.useCase.execute(message);
      await h.useCase.execute(message);
      await h.useCase.execute(message);

      expect(h.channel.acknowledged).toEqual([message.id]);
      expect(h.model.acknowledgedWhenCalled).toEqual([[message.id]]);
      expect(h.channel.sent).toHaveLength(1);
    });

    it('acknowledges once when the same message is delivered 5 times concurrently', async () => {
      const h = replyHarness();
      h.model.slowBy(20);
      const message = h.message();

      await Promise.allSettled(Array.from({ length: 5 }, () => h.useCase.execute(message)));

      expect(h.channel.acknowledged).toEqual([message.id]);
      expect(h.channel.sent).toHaveLength(1);
    });

    it('acknowledges a media message, which gets the media reply', async () => {
      const h = replyHarness();
      const message = h.message({ content: { type: 'image', mediaId: 'media-1', mimeType: 'image/jpeg' } });

      await h.useCase.execute(message);

      expect(h.channel.acknowledged).toEqual([message.id]);
      expect(h.channel.sent.map(({ reply }) => reply.text)).toEqual([h.policy.mediaReplyText]);
    });

    const recordOnly: { what: string; content: InboundMessage['content'] }[] = [
      { what: 'a reaction', content: { type: 'reaction', messageId: 'wamid.earlier', emoji: '👍' } },
      { what: 'an unsupported message', content: { type: 'unsupported', errorCode: 131051 } },
    ];
    for (const { what, content } of recordOnly) {
      it(`does not acknowledge ${what}, which is only recorded`, async () => {
        const h = replyHarness();
        const message = h.message({ content });

        const outcome = await h.useCase.execute(message);

        expect(outcome.state).toBe('skipped');
        expect(h.channel.acknowledged).toEqual([]);
        expect(h.channel.attempts).toEqual([]);
      });
    }
  });

  describe('outside the service window', () => {
    const TEMPLATE = { name: 'reengage_hello', language: 'de' };

    it('sends the channel template once and records sent with templateFallback <name> when the channel answers outside_service_window', async () => {
      const h = replyHarness();
      const message = h.message();
      await h.store.saveChannelSettings({ accountId: message.accountId, windowTemplate: TEMPLATE, updatedAt: h.clock.now() });
      h.channel.failNext(1, false, OUTSIDE_SERVICE_WINDOW);

      const outcome = await h.useCase.execute(message);

      expect(outcome).toEqual({ messageId: message.id, state: 'sent', firstDelivery: true, reason: 'outside_service_window' });
      expect(h.channel.attempts.map((reply) => reply.part)).toEqual([0]);
      expect(h.channel.sent).toEqual([]);
      expect(h.channel.templates).toEqual([{ inReplyTo: message.id, template: TEMPLATE }]);
      const record = await h.stored(message);
      expect(record).toMatchObject({
        state: 'sent',
        sendAttempts: 1,
        leaseUntil: 0,
        templateFallback: 'reengage_hello',
        failure: { stage: 'send', reason: 'outside_service_window' },
        recorded: true,
      });
      expect(record?.outboundIds).toHaveLength(1);
      expect(record?.outboundIds[0]).toMatch(/^tpl\./);
      expect(await h.published()).toMatchObject([{ messageId: message.id, outcome: 'sent', failureReason: 'outside_service_window' }]);

      // A redelivery finds the work done: no second template, no second free-text attempt.
      expect(await h.useCase.execute(message)).toMatchObject({ state: 'sent', firstDelivery: false });
      expect(h.channel.templates).toHaveLength(1);
      expect(h.channel.attempts).toHaveLength(1);
    });

    it('sends the template instead of every part when part 0 of a long reply is refused', async () => {
      const h = withModelAnswering(aLongReply());
      const message = h.message();
      await h.store.saveChannelSettings({ accountId: message.accountId, windowTemplate: TEMPLATE, updatedAt: h.clock.now() });
      h.channel.failNext(1, false, OUTSIDE_SERVICE_WINDOW);

      await h.useCase.execute(message);

      expect(h.channel.attempts.map((reply) => reply.part)).toEqual([0]);
      expect(h.channel.templates).toEqual([{ inReplyTo: message.id, template: TEMPLATE }]);
      expect(await h.stored(message)).toMatchObject({ state: 'sent', templateFallback: 'reengage_hello' });
    });

    it('records failed with the template error and never leaves the message sending when the template itself is refused', async () => {
      const h = replyHarness();
      const message = h.message();
      await h.store.saveChannelSettings({ accountId: message.accountId, windowTemplate: TEMPLATE, updatedAt: h.clock.now() });
      h.channel.failNext(1, false, OUTSIDE_SERVICE_WINDOW).failNextTemplates(1, false, 'whatsapp_error_132001');

      const outcome = await h.useCase.execute(message);

      expect(outcome).toMatchObject({ state: 'failed', reason: 'whatsapp_error_132001' });
      expect(await h.stored(message)).toMatchObject({ state: 'failed', leaseUntil: 0, failure: { stage: 'send', reason: 'whatsapp_error_132001' } });
    });

    it('retries later, from answered, when the template send fails retryably', async () => {
      const h = replyHarness();
      const message = h.message();
      await h.store.saveChannelSettings({ accountId: message.accountId, windowTemplate: TEMPLATE, updatedAt: h.clock.now() });
      h.channel.failNext(1, false, OUTSIDE_SERVICE_WINDOW).failNextTemplates(1, true, 'whatsapp_rate_limited_130429');

      await expect(h.useCase.execute(message)).rejects.toMatchObject({ reason: 'whatsapp_rate_limited_130429', retryable: true });
      expect(await h.stored(message)).toMatchObject({ state: 'answered', leaseUntil: 0 });

      h.channel.failNext(1, false, OUTSIDE_SERVICE_WINDOW);
      expect(await h.useCase.execute(message)).toMatchObject({ state: 'sent' });
      expect(h.channel.templates).toHaveLength(2);
    });

    it('records the reply as failed with reason outside-service-window after one attempt when the channel has no template', async () => {
      const h = replyHarness();
      const message = h.message();
      h.channel.failNext(1, false, OUTSIDE_SERVICE_WINDOW);

      const outcome = await h.useCase.execute(message);

      expect(outcome).toEqual({ messageId: message.id, state: 'failed', firstDelivery: true, reason: 'outside_service_window' });
      expect(h.channel.attempts).toHaveLength(1);
      expect(h.channel.templates).toEqual([]);
      expect(await h.stored(message)).toMatchObject({
        state: 'failed',
        sendAttempts: 1,
        outboundIds: [],
        failure: { stage: 'send', reason: 'outside_service_window' },
        recorded: true,
      });
      expect(await h.published()).toMatchObject([{ messageId: message.id, outcome: 'failed', failureReason: 'outside_service_window' }]);
    });

    it('records failed without a template when the channel settings exist but name no template', async () => {
      const h = replyHarness();
      const message = h.message();
      await h.store.saveChannelSettings({ accountId: message.accountId, fallbackText: 'Later!', updatedAt: h.clock.now() });
      h.channel.failNext(1, false, OUTSIDE_SERVICE_WINDOW);

      const outcome = await h.useCase.execute(message);

      expect(outcome).toMatchObject({ state: 'failed', reason: 'outside_service_window' });
      expect(h.channel.templates).toEqual([]);
    });

    it('uses the template of the message\'s own channel account only', async () => {
      const h = replyHarness();
      const message = h.message();
      await h.store.saveChannelSettings({ accountId: `${message.accountId}-other`, windowTemplate: TEMPLATE, updatedAt: h.clock.now() });
      h.channel.failNext(1, false, OUTSIDE_SERVICE_WINDOW);

      const outcome = await h.useCase.execute(message);

      expect(outcome).toMatchObject({ state: 'failed', reason: 'outside_service_window' });
      expect(h.channel.templates).toEqual([]);
    });
  });
});
