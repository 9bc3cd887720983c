import type { InboundMessage } from '../../domain/model/message.js';
import type { OutboundReply, ReplyChannel, ReplyTemplate, SendResult } from '../../domain/ports/reply-channel.js';
import { postSignedWebhook, type SignedPostOptions } from './signed-post.js';

export type { CallbackConnector } from './signed-post.js';

export type WebhookReplyOptions = SignedPostOptions;

/**
 * Delivers generic-channel replies to the message's `callbackUrl`, signed with Standard Webhooks.
 * The `webhook-id` is stable per reply, so a receiver can drop the duplicates a retry may cause.
 *
 * Under the SSRF guard of `postSignedWebhook` (resolved once, checked, connection pinned).
 */
export class WebhookReplyChannel implements ReplyChannel {
  constructor(private readonly options: WebhookReplyOptions) {}

  /** Client systems get no read receipts. */
  async acknowledge(_message: InboundMessage): Promise<void> {}

  async sendTemplate(_inReplyTo: InboundMessage, _template: ReplyTemplate): Promise<SendResult> {
    return { kind: 'unsent', reason: 'templates_are_whatsapp_only' };
  }

  async send({ inReplyTo, text, part }: OutboundReply): Promise<SendResult> {
    if (!inReplyTo.callbackUrl) return { kind: 'unsent', reason: 'no_callback_url' };
    const webhookId = part === 0 ? `reply_${inReplyTo.id}` : `reply_${inReplyTo.id}_${part}`;
    const body = JSON.stringify({
      type: 'message.reply',
      inReplyTo: inReplyTo.id,
      conversationId: inReplyTo.conversationId,
      userId: inReplyTo.participant.id,
      text,
      part,
      metadata: inReplyTo.metadata ?? {},
    });
    await postSignedWebhook(new URL(inReplyTo.callbackUrl), webhookId, body, this.options);
    return { kind: 'sent', outboundIds: [webhookId] };
  }
}
