import type { Conversation } from '../model/conversation.js';
import { DomainError } from '../model/errors.js';
import type { MessageRecord } from '../model/message-record.js';
import type { ChatStore } from '../ports/chat-store.js';

export class ConversationNotFoundError extends DomainError {
  constructor(id: string) {
    super('conversation_not_found', `conversation ${id} does not exist`, false);
  }
}

export type GetTranscriptError = ConversationNotFoundError;

/** A conversation and its messages with their replies, from the chat store. */
export class GetTranscript {
  constructor(private readonly store: ChatStore) {}

  async execute(conversationId: string, limit = 500): Promise<{ conversation: Conversation; messages: MessageRecord[] }> {
    const conversation = await this.store.getConversation(conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    return { conversation, messages: await this.store.messages(conversationId, { limit }) };
  }
}
