import { DomainError } from '../model/errors.js';
import type { InboundMessage } from '../model/message.js';

export interface OutboundReply {
  /** The message being answered: it says the channel, account, recipient and callback. */
  inReplyTo: InboundMessage;
  text: string;
}

export type SendResult = { kind: 'sent'; outboundIds: string[] } | { kind: 'unsent'; reason: string };

/**
 * Delivers a reply to the person (WhatsApp) or client system (API callback). `unsent` means the
 * channel is deliberately not configured for sending; failures reject with `ReplySendError`.
 */
export interface ReplyChannel {
  send(reply: OutboundReply): Promise<SendResult>;
}

export class ReplySendError extends DomainError {
  /** `reason` becomes the stable code recorded as the failure reason (default `reply_send_failed`). */
  constructor(message: string, retryable: boolean, options: { cause?: unknown; reason?: string } = {}) {
    super(options.reason ?? 'reply_send_failed', message, retryable, { cause: options.cause });
  }
}
