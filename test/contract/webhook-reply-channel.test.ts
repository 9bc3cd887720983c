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
