import type { ChannelSettings } from '../model/channel-settings.js';
import type { Conversation } from '../model/conversation.js';
import type { DeliveryStatus } from '../model/delivery-status.js';
import type { Channel } from '../model/ids.js';
import type { InboundMessage } from '../model/message.js';
import type { LimitReason } from '../model/reasons.js';
import type { MessagePatch, MessageRecord } from '../model/message-record.js';

export type ApplyStatusResult = 'applied' | 'stale' | 'unknown';

/** One person on one channel account, whatever conversations they write in. */
export interface ParticipantRef {
  channel: Channel;
  accountId: string;
  participantId: string;
}

/** A share of a channel's daily spend held for one generation until its real cost is known. */
export interface SpendReservation {
  /** One per generation (the message id): reserving again under it replaces the reservation. */
  key: string;
  usd: number;
  /** After this (epoch ms) the reservation no longer counts: its holder died or overran its lease. */
  until: number;
}

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
   * Every stored conversation the participant wrote a message in, whatever its id (an API client
   * names its own conversations), on that channel and account.
   */
  conversationsOf(participant: ParticipantRef): Promise<Conversation[]>;

  /**
   * The participant's inbound messages received in `(after, upTo]` across all their conversations
   * on that channel and account: how many, and whether one of them other than `except` got the
   * limit reply noted `note`.
   */
  participantWindow(
    participant: ParticipantRef,
    window: { after: number; upTo: number; except: string; note: LimitReason },
  ): Promise<{ messages: number; limitReplied: boolean }>;

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

  /**
   * Atomically adds `reservation` to the channel's spend on `day` (`YYYY-MM-DD`, UTC) only when
   * what was spent plus every live reservation (`until` after `now`) plus it stays within
   * `capUsd` (and below it before it): true when reserved, false when it does not fit.
   */
  reserveSpend(accountId: string, day: string, reservation: SpendReservation, capUsd: number, now: number): Promise<boolean>;

  /**
   * Atomically replaces the reservation `key` of `day` (if there is one) by `usd` actually spent:
   * 0 releases it. Without a reservation it just adds `usd`.
   */
  settleSpend(accountId: string, day: string, key: string, usd: number): Promise<void>;

  /** What the channel spent on `day` so far (0 when nothing), reservations not included. */
  spendOf(accountId: string, day: string): Promise<number>;
}
