import type { Conversation } from '../model/conversation.js';
import { DomainError } from '../model/errors.js';
import type { MessageRecord } from '../model/message-record.js';
import { positionOf, type ConversationArchive, type TranscriptPosition } from '../ports/conversation-archive.js';

export class ConversationNotFoundError extends DomainError {
  constructor(id: string) {
    super('conversation_not_found', `conversation ${id} does not exist`, false);
  }
}

export type GetTranscriptError = ConversationNotFoundError;

export interface Transcript {
  conversation: Conversation;
  /** The newest messages, oldest first. */
  messages: MessageRecord[];
  /** True when older messages exist beyond `messages`. */
  truncated: boolean;
}

/** One page of a transcript, oldest first, and where the next begins (null on the last page). */
export interface TranscriptPage {
  conversation: Conversation;
  messages: MessageRecord[];
  next: TranscriptPosition | null;
}

/** A conversation and its latest messages with their replies, from the chat store. */
export class GetTranscript {
  constructor(private readonly store: ConversationArchive) {}

  async execute(conversationId: string, limit = 500): Promise<Transcript> {
    const conversation = await this.store.getConversation(conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    const messages = await this.store.messages(conversationId, { limit });
    return { conversation, messages, truncated: conversation.messageCount > messages.length };
  }

  /** The transcript page by page from its first message: however long, every message is reachable. */
  async page(conversationId: string, { after, limit }: { after?: TranscriptPosition; limit: number }): Promise<TranscriptPage> {
    const conversation = await this.store.getConversation(conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    const records = await this.store.messagesAfter(conversationId, { ...(after ? { after } : {}), limit: limit + 1 });
    const messages = records.slice(0, limit);
    const last = messages.at(-1);
    return { conversation, messages, next: records.length > limit && last ? positionOf(last) : null };
  }

  /** Whom each conversation is with, in full (number or user id): for an export the operator asks for. Gone conversations are left out. */
  async participantIds(conversationIds: readonly string[]): Promise<Map<string, string>> {
    const conversations = await Promise.all(conversationIds.map((id) => this.store.getConversation(id)));
    return new Map(conversations.flatMap((c) => (c ? [[c.id, c.participant.id] as const] : [])));
  }
}
