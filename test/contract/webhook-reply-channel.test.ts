import { describe, expect, it } from 'vitest';
import { WebhookReplyChannel } from '../../src/adapters/webhook/webhook-reply-channel.js';
import { CallbackReceiver } from '../support/callback-receiver.js';
import { aWebhookSecret } from '../support/signing.js';
import { replyChannelContract } from './reply-channel.contract.js';
import { anApiMessage } from '../support/builders.js';


const channel = () => new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: new Set(['127.0.0.1']), timeoutMs: 2_000 });

replyChannelContract(
  'WebhookReplyChannel (against a callback receiver)',
  async () => {
    const receiver = new CallbackReceiver();
    await receiver.start();
    const callbackUrl = `${receiver.baseUrl}/replies`;
    return {
      channel: channel(),
      aMessage: () => anApiMessage(callbackUrl),
      received: () => receiver.requests.map((request) => (JSON.parse(request.rawBody.toString('utf8')) as { text: string }).text),
      refuseNext: () => receiver.answerNext(1, { status: 400 }),
      failNextTransiently: () => receiver.answerNext(1, { status: 503 }),
      loseNextAnswer: () => receiver.dropNext(1),
      unreachableNext: () => receiver.stop(),
      templates: { unsentReason: 'templates_are_whatsapp_only' },
      cleanup: () => receiver.stop(),
    };
  },
  // A message without a callbackUrl has nowhere to be sent: the channel answers unsent.
  { unconfigured: async () => ({ channel: channel(), message: anApiMessage(undefined), received: () => [] }) },
);

describe('WebhookReplyChannel sending a person\'s reply (human handoff)', () => {
  it('posts it under an id of its own, typed as an agent reply, so the receiver never takes it for the bot\'s reply', async () => {
    const receiver = new CallbackReceiver();
    await receiver.start();
    try {
      const message = anApiMessage(`${receiver.baseUrl}/replies`);
      await channel().send({ inReplyTo: message, text: 'bot answer', part: 0, parts: 1 });
      await channel().send({ inReplyTo: message, text: 'Grace here', part: 0, parts: 1, agent: { replyId: 'ar_123', name: 'Grace' } });

      expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([`reply_${message.id}`, 'agent_ar_123']);
      expect(JSON.parse(receiver.requests[1]!.rawBody.toString('utf8'))).toMatchObject({ type: 'message.agent_reply', agent: 'Grace', text: 'Grace here', inReplyTo: message.id });
    } finally {
      await receiver.stop();
    }
  });
});
