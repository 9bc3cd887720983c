import type { Conversation } from '../model/conversation.js';
import type { Channel } from '../model/ids.js';
import type { MessageRecord } from '../model/message-record.js';
import type { LimitReason } from '../model/reasons.js';

/** A message's place in its transcript: where a page of it ends. */
export interface TranscriptPosition {
  receivedAt: number;
  sentAt: number;
  id: string;
}

export const positionOf = (record: MessageRecord): TranscriptPosition => ({ receivedAt: record.message.receivedAt, sentAt: record.message.sentAt, id: record.message.id });

/** One person on one channel account, whatever conversations they write in. */
export interface ParticipantRef {
  channel: Channel;
  accountId: string;
  participantId: string;
}

/**
 * Conversations as a whole and the people in them: a conversation and its newest messages (the
 * transcript), a participant's conversations and recent activity (rate limits), and erasure.
 */
export interface ConversationArchive {
  getConversation(conversationId: string): Promise<Conversation | null>;

  /** The newest `limit` messages of the conversation, oldest first. */
  messages(conversationId: string, options: { limit: number }): Promise<MessageRecord[]>;

  /**
   * Up to `limit` messages of the conversation after `after` (from its first message when absent),
   * oldest first: by reception time, then sending time, then message id.
   */
  messagesAfter(conversationId: string, options: { after?: TranscriptPosition; limit: number }): Promise<MessageRecord[]>;

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
   * Right to erasure: deletes the conversation, its messages and their outbound pointers, and
   * answers how many messages were deleted. The claims of the erased messages stay (they hold no
   * personal data), so a late redelivery is still recognised as a duplicate and never answered.
   */
  eraseConversation(conversationId: string): Promise<{ messages: number }>;
}
