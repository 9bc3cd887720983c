import type { DeliveryStatus } from '../model/delivery-status.js';
import type { InboundMessage } from '../model/message.js';
import type { MessagePatch, MessageRecord } from '../model/message-record.js';
import type { SpendSettlement } from './spend-ledger.js';

export type ApplyStatusResult = 'applied' | 'stale' | 'unknown';

/**
 * Each inbound message with its reply state machine: claimed once, moved on by compare-and-set,
 * found again by its id or by the outbound id of its reply. Every write is atomic; there is no
 * check-then-set anywhere.
 */
export interface MessageLog {
  /**
   * Atomic create-if-absent of the message keyed by its channel id (and upsert of its
   * conversation). `created` is false when the message was already stored: `record` is then the
   * stored one, untouched (or, for a message erased since, a `skipped` record that is not stored).
   */
  register(message: InboundMessage, now: number): Promise<{ created: boolean; record: MessageRecord }>;

  /**
   * Compare-and-set: applies `patch` only when the stored version is `expectedVersion`, returning
   * the new record (version + 1), or null when another writer changed it first. A `settlement`
   * is applied to the spend ledger (as `settleSpend`) in the same atomic write, so it counts
   * exactly when the transition does: never without it, never twice.
   */
  transition(conversationId: string, messageId: string, expectedVersion: number, patch: MessagePatch, settlement?: SpendSettlement): Promise<MessageRecord | null>;

  /** The stored message, or null (never stored, or erased). A read only: nothing is claimed. */
  findMessage(conversationId: string, messageId: string): Promise<MessageRecord | null>;

  /** The message whose reply got `outboundId` (recorded in its `outboundIds`), or null. */
  findByOutboundId(outboundId: string): Promise<MessageRecord | null>;

  /** Earlier messages of the conversation received before `before`, oldest first, at most `limit` (the model's history). */
  history(conversationId: string, options: { before: number; limit: number }): Promise<MessageRecord[]>;

  /** Applies a delivery status to the message whose reply got `status.outboundId`, never regressing. */
  applyStatus(status: DeliveryStatus): Promise<ApplyStatusResult>;
}
