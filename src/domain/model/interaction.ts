import type { DeliveryState } from './delivery-status.js';
import type { Channel } from './ids.js';
import type { MessageState } from './message-record.js';
import type { ReplyKind, TokenUsage } from './reply.js';

interface InteractionBase {
  /** Deterministic: re-recording the same fact yields the same id, so ingestion is idempotent. */
  eventId: string;
  occurredAt: number;
  channel: Channel;
  accountId: string;
  conversationId: string;
  /** Pseudonymous user key; never a phone number. */
  userKey: string;
}

/** The outcome of one inbound message, recorded once it reaches a terminal state. */
export interface MessageInteraction extends InteractionBase {
  type: 'message';
  messageId: string;
  messageType: string;
  receivedAt: number;
  outcome: Extract<MessageState, 'sent' | 'unsent' | 'failed' | 'send-unknown' | 'skipped'>;
  replyKind?: ReplyKind;
  model?: string;
  usage: TokenUsage;
  costUsd: number;
  latencyMs?: number;
  failureReason?: string;
}

/** A delivery status applied to a reply. */
export interface StatusInteraction extends InteractionBase {
  type: 'status';
  outboundId: string;
  status: DeliveryState;
  pricingCategory?: string;
  errorCode?: number;
  /** A failed delivery's reason: counted among failures unless the message's own outcome already counts it. */
  failureReason?: string;
}

export type InteractionEvent = MessageInteraction | StatusInteraction;
