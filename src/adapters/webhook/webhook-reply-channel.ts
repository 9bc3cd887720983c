import { ReplySendError, type OutboundReply, type ReplyChannel, type SendResult } from '../../domain/ports/reply-channel.js';
import { isAllowedCallback, type Resolve } from './address-guard.js';
import { signStandardWebhook } from './standard-webhooks.js';

export interface WebhookReplyOptions {
  secret: string;
  allowedHosts: ReadonlySet<string>;
  timeoutMs?: number;
  fetch?: typeof fetch;
  resolve?: Resolve;
  now?: () => number;
}

/**
 * Delivers generic-channel replies to the message's `callbackUrl`, signed with Standard Webhooks.
 * The `webhook-id` is stable per reply, so a receiver can drop the duplicates a retry may cause.
 */
export class WebhookReplyChannel implements ReplyChannel {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: WebhookReplyOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async send({ inReplyTo, text }: OutboundReply): Promise<SendResult> {
    if (!inReplyTo.callbackUrl) return { kind: 'unsent', reason: 'no-callback-url' };
    const url = new URL(inReplyTo.callbackUrl);
    if (!(await isAllowedCallback(url, this.options.allowedHosts, this.options.resolve).catch(() => false))) {
      throw new ReplySendError('callbackUrl resolves to a forbidden or unknown address', false, { reason: 'callback-url-forbidden' });
    }
    const webhookId = `reply_${inReplyTo.id}`;
    const timestamp = Math.floor((this.options.now?.() ?? Date.now()) / 1000);
    const body = JSON.stringify({
      type: 'message.reply',
      inReplyTo: inReplyTo.id,
      conversationId: inReplyTo.conversationId,
      userId: inReplyTo.participant.id,
      text,
      metadata: inReplyTo.metadata ?? {},
    });
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhookId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook(this.options.secret, webhookId, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new ReplySendError('callback unreachable', true, { cause: error, reason: 'callback-unreachable' });
    }
    await response.body?.cancel();
    if (response.ok) return { kind: 'sent', outboundIds: [webhookId] };
    const retryable = response.status === 429 || response.status >= 500;
    throw new ReplySendError(`callback answered ${response.status}`, retryable, { reason: `callback-http-${response.status}` });
  }
}
