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

  async send({ inReplyTo, text, part, agent }: OutboundReply): Promise<SendResult> {
    if (!inReplyTo.callbackUrl) return { kind: 'unsent', reason: 'no_callback_url' };
    // A person's reply has an id of its own: the receiver must not drop it as a repeat of the bot's reply.
    const webhookId = agent ? `agent_${agent.replyId}` : part === 0 ? `reply_${inReplyTo.id}` : `reply_${inReplyTo.id}_${part}`;
    const body = JSON.stringify({
      type: agent ? 'message.agent_reply' : 'message.reply',
      inReplyTo: inReplyTo.id,
      conversationId: inReplyTo.conversationId,
      userId: inReplyTo.participant.id,
      text,
      part,
      ...(agent ? { agent: agent.name } : {}),
      metadata: inReplyTo.metadata ?? {},
    });
    await postSignedWebhook(new URL(inReplyTo.callbackUrl), webhookId, body, this.options);
    return { kind: 'sent', outboundIds: [webhookId] };
  }
}
