import type { Channel } from './ids.js';
import type { SendFailureReason } from './reasons.js';
import type { StatusPricing } from './whatsapp-pricing.js';

export const DELIVERY_STATES = ['sent', 'delivered', 'read', 'played', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** A channel's report on a reply we sent. Reports arrive in any order and may repeat. */
export interface DeliveryStatus {
  /** The outbound message id the channel gave our reply. */
  outboundId: string;
  channel: Channel;
  accountId: string;
  conversationId: string;
  /** The person the reply went to (WhatsApp `recipient_id`). */
  recipientId: string;
  status: DeliveryState;
  /** Epoch ms, from the channel. */
  at: number;
  pricing?: StatusPricing;
  errors?: { code: number; title?: string }[];
  /** A failed status's stable reason, as the channel classifies its error (e.g. `outside_service_window`). */
  failureReason?: SendFailureReason;
  /**
   * Which of our sends this status is about, as the channel echoes it back (WhatsApp
   * `biz_opaque_callback_data`): it names the message even when we never learnt the outbound id.
   */
  sentFor?: SendReference;
}

/** What we tell the channel about a send, so its statuses can be traced to our message. */
export type SendReference = { kind: 'reply'; messageId: string; part: number; parts: number } | { kind: 'template'; messageId: string };

const RANK: Record<DeliveryState, number> = { sent: 1, delivered: 2, read: 3, played: 4, failed: 5 };

/** True when `next` moves the delivery forward; a later state never regresses to an earlier one. */
export function advancesDelivery(current: DeliveryState | undefined, next: DeliveryState): boolean {
  return current === undefined || RANK[next] > RANK[current];
}
