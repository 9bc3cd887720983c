import type { ChannelSettings } from '../model/channel-settings.js';
import type { Conversation } from '../model/conversation.js';
import type { DeliveryStatus } from '../model/delivery-status.js';
import type { InboundMessage } from '../model/message.js';
import type { MessagePatch, MessageRecord } from '../model/message-record.js';

export type ApplyStatusResult = 'applied' | 'stale' | 'unknown';

/**
 * Conversations and their messages, each message carrying its reply state machine.
 * Every write is atomic; there is no check-then-set anywhere.
 */
export interface ChatStore {
  /**
   * Right to erasure: deletes the conversation, its messages and their outbound pointers, and
   * answers how many messages were deleted. The claims of the erased messages stay (they hold no
   * personal data), so a late redelivery is still recognised as a duplicate and never answered.
   */
  eraseConversation(conversationId: string): Promise<{ messages: number }>;

  /**
   * Atomic create-if-absent of the message keyed by its channel id (and upsert of its
   * conversation). `created` is false when the message was already stored: `record` is then the
   * stored one, untouched (or, for a message erased since, a `skipped` record that is not stored).
   */
  register(message: InboundMessage, now: number): Promise<{ created: boolean; record: MessageRecord }>;

  /**
   * Compare-and-set: applies `patch` only when the stored version is `expectedVersion`, returning
   * the new record (version + 1), or null when another writer changed it first.
   */
  transition(conversationId: string, messageId: string, expectedVersion: number, patch: MessagePatch): Promise<MessageRecord | null>;

  /** Earlier messages of the conversation received before `before`, oldest first, at most `limit`. */
  history(conversationId: string, options: { before: number; limit: number }): Promise<MessageRecord[]>;

  /** Applies a delivery status to the message whose reply got `status.outboundId`, never regressing. */
  applyStatus(status: DeliveryStatus): Promise<ApplyStatusResult>;

  /** The stored message, or null (never stored, or erased). A read only: nothing is claimed. */
  findMessage(conversationId: string, messageId: string): Promise<MessageRecord | null>;

  /** The message whose reply got `outboundId` (recorded in its `outboundIds`), or null. */
  findByOutboundId(outboundId: string): Promise<MessageRecord | null>;

  getConversation(conversationId: string): Promise<Conversation | null>;

  /** The newest `limit` messages of the conversation, oldest first. */
  messages(conversationId: string, options: { limit: number }): Promise<MessageRecord[]>;

  /** The channel's own settings, or null when it has none. */
  channelSettings(accountId: string): Promise<ChannelSettings | null>;

  /** Every channel that has settings of its own, ordered by account id. */
  listChannelSettings(): Promise<ChannelSettings[]>;

  /** Replaces the channel's settings document. */
  saveChannelSettings(settings: ChannelSettings): Promise<void>;

  /** Adds to what the channel spent on `day` (`YYYY-MM-DD`, UTC), atomically. */
  addSpend(accountId: string, day: string, usd: number): Promise<void>;

  /** What the channel spent on `day` so far (0 when nothing). */
  spendOf(accountId: string, day: string): Promise<number>;
}
