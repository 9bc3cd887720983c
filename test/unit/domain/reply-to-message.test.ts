import { canaryFor, withCanary } from '../../../src/domain/model/output-guard.js';
import { describe, expect, it } from 'vitest';
import { SCRIPTED_MODEL_NAME } from '../../../src/adapters/scripted/scripted-completion-model.js';
import { PublishError } from '../../../src/domain/model/errors.js';
import { userKeyFor } from '../../../src/domain/model/ids.js';
import { ReplySendError, SEND_OUTCOME_UNKNOWN } from '../../../src/domain/ports/reply-channel.js';
import { replyHarness } from '../../support/reply-harness.js';
import { maskedParticipant } from '../../../src/domain/model/masked-participant.js';

describe('ReplyToMessage', () => {
  describe('answering', () => {
    it('generates, stores, sends and records the reply when a text message arrives', async () => {
      const h = replyHarness();
      const message = h.message({ text: 'What are your opening hours?' });
      h.clock.advance(1200);

      const outcome = await h.useCase.execute(message);

      expect(outcome).toEqual({ messageId: message.id, state: 'sent', firstDelivery: true });
      expect(h.model.calls).toBe(1);
      const record = await h.stored(message);
      expect(record).toMatchObject({ state: 'sent', attempts: 1, sendAttempts: 1, leaseUntil: 0, recorded: true });
      expect(record).not.toHaveProperty('failure');
      expect(record?.reply).toMatchObject({ kind: 'ai', model: SCRIPTED_MODEL_NAME, latencyMs: 1200 });
      expect(record?.reply?.text).toContain('What are your opening hours?');
      const usage = record!.reply!.usage;
      expect(record?.reply?.costUsd).toBeCloseTo((usage.prompt * 1 + usage.completion * 2) / 1_000_000, 12);
      expect(h.channel.sent).toHaveLength(1);
      expect(h.channel.sent[0]!.reply).toEqual({ inReplyTo: message, text: record!.reply!.text, part: 0, parts: 1 });
      expect(h.channel.acknowledged).toEqual([message.id]);
      expect(h.channel.templates).toEqual([]);
      expect(record?.outboundIds).toEqual(h.channel.sent[0]!.outboundIds);
      expect(await h.published()).toEqual([
        {
          type: 'message',
          eventId: `message:whatsapp:${message.id}`,
          occurredAt: record!.updatedAt,
          channel: 'whatsapp',
          accountId: message.accountId,
          conversationId: message.conversationId,
          userKey: userKeyFor('whatsapp', message.accountId, message.participant.id),
          messageId: message.id,
          messageType: 'text',
          receivedAt: message.receivedAt,
          outcome: 'sent',
          replyKind: 'ai',
          model: SCRIPTED_MODEL_NAME,
          usage,
          costUsd: record!.reply!.costUsd,
          latencyMs: 1200,
          participant: maskedParticipant('whatsapp', message.participant.id),
          ...(message.participant.name ? { profileName: message.participant.name } : {}),
        },
      ]);
      expect(JSON.stringify(h.interactions)).not.toContain(message.participant.id);
    });

    it('stores the conversation when its first message is answered', async () => {
      const h = replyHarness();
      const message = h.message();
      await h.useCase.execute(message);

      expect(await h.store.getConversation(message.conversationId)).toMatchObject({ id: message.conversationId, messageCount: 1, participant: message.participant });
    });
  });

  describe('history', () => {
    it('gives the model the earlier exchange as user then assistant turns and the system prompt only as systemPrompt when a second message arrives', async () => {
      const h = replyHarness();
      const first = h.message({ text: 'Hi, I am Ada' });
      await h.useCase.execute(first);
      h.clock.advance(60_000);
      const second = h.message({ participant: first.participant, accountId: first.accountId, text: 'What is my name?' });
      const otherConversation = h.message({ text: 'unrelated' });
      await h.useCase.execute(otherConversation);

      await h.useCase.execute(second);

      const firstReply = (await h.stored(first))!.reply!.text;
      const request = h.model.requests.at(-1)!;
      expect(request.systemPrompt).toBe(withCanary(h.policy.systemPrompt, canaryFor(second.accountId, h.policy.systemPrompt)));
      expect(request.maxTokens).toBe(h.policy.maxTokens);
      expect(request.turns).toEqual([
        { role: 'user', content: 'Hi, I am Ada' },
        { role: 'assistant', content: firstReply },
        { role: 'user', content: 'What is my name?' },
      ]);
      expect(request.turns.some((turn) => turn.content.includes('SYSTEM'))).toBe(false);
    });

    it('gives only the newest historyMessages exchanges when the conversation is longer', async () => {
      const h = replyHarness({ historyMessages: 2 });
      const first = h.message({ text: 'message 1' });
      await h.useCase.execute(first);
      for (const n of [2, 3, 4]) {
        h.clock.advance(1000);
        await h.useCase.execute(h.message({ participant: first.participant, text: `message ${n}` }));
      }

      const lastTurns = h.model.requests.at(-1)!.turns;
      expect(lastTurns.filter((t) => t.role === 'user').map((t) => t.content)).toEqual(['message 2', 'message 3', 'message 4']);
      expect(lastTurns.map((t) => t.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    });

    it('passes the policy model to the completion model when one is configured', async () => {
      const h = replyHarness({ model: 'gpt-test' });
      await h.useCase.execute(h.message());
      expect(h.model.requests[0]?.model).toBe('gpt-test');
    });
  });

  describe('content plans', () => {
    it('skips without a model call or send when the message is a reaction', async () => {
      const h = replyHarness();
      const message = h.message({ content: { type: 'reaction', messageId: 'wamid.earlier', emoji: '👍' } });

      const outcome = await h.useCase.execute(message);

      expect(outcome.state).toBe('skipped');
      expect(h.model.calls).toBe(0);
      expect(h.channel.attempts).toEqual([]);
      expect(await h.stored(message)).toMatchObject({ state: 'skipped', note: 'reaction', recorded: true });
      expect(await h.published()).toMatchObject([{ type: 'message', outcome: 'skipped', messageType: 'reaction', costUsd: 0 }]);
    });

    it('sends the media reply without a model call when an image has no caption', async () => {
      const h = replyHarness();
      const message = h.message({ content: { type: 'image', mediaId: 'media-1', mimeType: 'image/jpeg' } });

      await h.useCase.execute(message);

      expect(h.model.calls).toBe(0);
      expect(h.channel.sent.map((s) => s.reply.text)).toEqual([h.policy.mediaReplyText]);
      expect(await h.stored(message)).toMatchObject({ state: 'sent', reply: { kind: 'media', text: h.policy.mediaReplyText, costUsd: 0 } });
      expect(await h.published()).toMatchObject([{ outcome: 'sent', replyKind: 'media', messageType: 'image' }]);
    });

    it('calls the model with the caption when an image has one', async () => {
      const h = replyHarness();
      const message = h.message({ content: { type: 'image', mediaId: 'media-2', caption: 'is this broken?' } });

      await h.useCase.execute(message);

      expect(h.model.calls).toBe(1);
      expect(h.model.requests[0]!.turns.at(-1)).toEqual({ role: 'user', content: '[image with caption] is this broken?' });
      expect((await h.stored(message))?.reply?.kind).toBe('ai');
    });
  });

  describe('reply channel outcomes', () => {
    it('stores unsent with the reason in note when the channel answers unsent', async () => {
      const h = replyHarness();
      h.channel.answerUnsent('no_callback_url');
      const message = h.message();

      const outcome = await h.useCase.execute(message);

      expect(outcome.state).toBe('unsent');
      expect(await h.stored(message)).toMatchObject({ state: 'unsent', note: 'no_callback_url', outboundIds: [], recorded: true });
      expect(await h.published()).toMatchObject([{ outcome: 'unsent', replyKind: 'ai', failureReason: 'reply_channel_not_configured' }]);
    });

    it('retries the stored reply and ends sent without a failure when a retryable send failure happens once', async () => {
      const h = replyHarness();
      h.channel.failNext(1, true);
      const message = h.message();

      await expect(h.useCase.execute(message)).rejects.toBeInstanceOf(ReplySendError);
      expect(await h.stored(message)).toMatchObject({ state: 'answered', sendAttempts: 1, leaseUntil: 0, failure: { stage: 'send', reason: 'reply_send_failed' } });
      expect(await h.published()).toEqual([]);

      const outcome = await h.useCase.execute(message);

      expect(outcome.state).toBe('sent');
      expect(h.model.calls).toBe(1);
      expect(h.channel.attempts).toHaveLength(2);
      expect(h.channel.attempts[0]!.text).toBe(h.channel.attempts[1]!.text);
      expect(h.channel.sent).toHaveLength(1);
      const record = await h.stored(message);
      expect(record).toMatchObject({ state: 'sent', sendAttempts: 2 });
      expect(record).not.toHaveProperty('failure');
      expect(await h.published()).toHaveLength(1);
      expect(h.interactions[0]).not.toHaveProperty('failureReason');
    });

    it('marks the message failed without retrying when the send failure is not retryable', async () => {
      const h = replyHarness();
      h.channel.failNext(1, false);
      const message = h.message();

      const outcome = await h.useCase.execute(message);

      expect(outcome.state).toBe('failed');
      expect(h.channel.attempts).toHaveLength(1);
      expect(await h.stored(message)).toMatchObject({ state: 'failed', failure: { stage: 'send', reason: 'reply_send_failed' } });
      expect(await h.published()).toMatchObject([{ outcome: 'failed', failureReason: 'reply_send_failed', replyKind: 'ai' }]);
      await h.useCase.execute(message);
      expect(h.channel.attempts).toHaveLength(1);
    });

    it('marks the message send-unknown and never sends again when the channel says the outcome of the send is unknown', async () => {
      const h = replyHarness();
      h.channel.failNext(1, false, SEND_OUTCOME_UNKNOWN);
      const message = h.message();

      const outcome = await h.useCase.execute(message);
      await h.useCase.execute(message);

      expect(outcome.state).toBe('send-unknown');
      expect(h.channel.attempts).toHaveLength(1);
      expect(h.model.calls).toBe(1);
      expect(await h.stored(message)).toMatchObject({ state: 'send-unknown', leaseUntil: 0, failure: { stage: 'send', reason: SEND_OUTCOME_UNKNOWN } });
      expect(await h.published()).toMatchObject([{ outcome: 'send-unknown', failureReason: SEND_OUTCOME_UNKNOWN, replyKind: 'ai' }]);
    });

    it('marks the message failed when retryable send failures reach maxSendAttempts', async () => {
      const h = replyHarness({ maxSendAttempts: 2 });
      h.channel.failNext(5, true);
      const message = h.message();

      await expect(h.useCase.execute(message)).rejects.toBeInstanceOf(ReplySendError);
      const outcome = await h.useCase.execute(message);

      expect(outcome.state).toBe('failed');
      expect(h.channel.attempts).toHaveLength(2);
      expect(h.model.calls).toBe(1);
    });
  });

  describe('recording', () => {
    it('republishes the interaction on the next delivery without a second send or model call when the publish after sent fails', async () => {
      const h = replyHarness();
      const message = h.message();
      h.bus.failNextPublishes(1);

      await expect(h.useCase.execute(message)).rejects.toBeInstanceOf(PublishError);
      expect(await h.stored(message)).toMatchObject({ state: 'sent', recorded: false });
      expect(await h.published()).toEqual([]);

      const outcome = await h.useCase.execute(message);

      expect(outcome).toMatchObject({ state: 'sent' });
      expect(h.model.calls).toBe(1);
      expect(h.channel.attempts).toHaveLength(1);
      expect(await h.stored(message)).toMatchObject({ state: 'sent', recorded: true });
      expect(await h.published()).toMatchObject([{ eventId: `message:whatsapp:${message.id}`, outcome: 'sent' }]);
    });
  });
});
