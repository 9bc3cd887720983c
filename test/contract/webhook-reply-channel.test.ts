import { randomUUID } from 'node:crypto';
import { WebhookReplyChannel } from '../../src/adapters/webhook/webhook-reply-channel.js';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import { CallbackReceiver } from '../support/callback-receiver.js';
import { aWebhookSecret } from '../support/signing.js';
import { replyChannelContract } from './reply-channel.contract.js';

function anApiMessage(callbackUrl: string | undefined): InboundMessage {
  const accountId = `client-${randomUUID()}`;
  const userId = `user-${randomUUID()}`;
  const now = Date.now();
  return {
    id: `msg_${randomUUID()}`,
    channel: 'api',
    accountId,
    conversationId: conversationIdFor('api', accountId, `user:${userId}`),
    participant: { id: userId },
    content: { type: 'text', body: 'Where is my order?' },
    sentAt: now,
    receivedAt: now,
    ...(callbackUrl ? { callbackUrl } : {}),
  };
}

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
