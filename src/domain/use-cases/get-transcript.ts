import type { Conversation } from '../model/conversation.js';
import { DomainError } from '../model/errors.js';
import type { MessageRecord } from '../model/message-record.js';
import type { ConversationArchive } from '../ports/conversation-archive.js';

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

/** A conversation and its latest messages with their replies, from the chat store. */
export class GetTranscript {
  constructor(private readonly store: ConversationArchive) {}

  async execute(conversationId: string, limit = 500): Promise<Transcript> {
    const conversation = await this.store.getConversation(conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    const messages = await this.store.messages(conversationId, { limit });
    return { conversation, messages, truncated: conversation.messageCount > messages.length };
  }
}
