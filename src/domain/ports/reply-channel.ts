import { DomainError } from '../model/errors.js';
import type { InboundMessage } from '../model/message.js';
import type { SendFailureReason, UnsentReason } from '../model/reasons.js';

export interface OutboundReply {
  /** The message being answered: it says the channel, account, recipient and callback. */
  inReplyTo: InboundMessage;
  text: string;
  /** 0-based index of this part when a long reply is sent in several messages. */
  part: number;
  /** How many parts the reply has (statuses echo it, so a settled part is known to be the last); absent: this is the last. */
  parts?: number;
  /**
   * Set for a reply a person wrote (human handoff): it is its own message, not the bot's answer to
   * `inReplyTo` (no quote, its own id on the wire, so a receiver never takes it for a duplicate).
   */
  agent?: { replyId: string; name: string };
}

/** A pre-approved WhatsApp message template (name and language code). */
export interface ReplyTemplate {
  name: string;
  language: string;
}

export type SendResult = { kind: 'sent'; outboundIds: string[] } | { kind: 'unsent'; reason: UnsentReason };

/** The failure reason a channel gives when a free-form reply is no longer allowed (WhatsApp's 24 h window). */
export const OUTSIDE_SERVICE_WINDOW = 'outside_service_window' satisfies SendFailureReason;

/**
 * The failure reason a channel gives when a send may have reached the other side but its answer was
 * lost (timeout, reset, connection closed after the request was written). Never retryable: the
 * reply ends `send-unknown` and is not sent again.
 */
export const SEND_OUTCOME_UNKNOWN = 'send_outcome_unknown' satisfies SendFailureReason;

/**
 * Delivers replies to the person (WhatsApp) or client system (API callback). `unsent` means the
 * channel is deliberately not configured for sending; failures reject with `ReplySendError`.
 */
export interface ReplyChannel {
  /** Sends one message (one part of a reply, within the channel's length limit). */
  send(reply: OutboundReply): Promise<SendResult>;
  /**
   * Tells the person their message was read and a reply is coming (WhatsApp: read receipt with a
   * typing indicator; `typing: false`: the read receipt alone). Best effort: it never rejects.
   */
  acknowledge(message: InboundMessage, options?: { typing?: boolean }): Promise<void>;
  /** Sends a template instead of free text (re-engagement outside the service window). */
  sendTemplate(inReplyTo: InboundMessage, template: ReplyTemplate): Promise<SendResult>;
}

export class ReplySendError extends DomainError {
  /** `reason` is recorded as the failure reason (default `reply_send_failed`). */
  constructor(message: string, retryable: boolean, options: { cause?: unknown; reason?: SendFailureReason } = {}) {
    super('reply_send_failed', message, retryable, options);
  }
}
