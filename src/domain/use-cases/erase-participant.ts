import type { ErasureCounts } from '../model/analytics.js';
import { ValidationError } from '../model/errors.js';
import { conversationIdFor, userKeyFor, type Channel } from '../model/ids.js';
import type { AnalyticsStore } from '../ports/analytics-store.js';
import type { ChatStore } from '../ports/chat-store.js';
import type { Clock } from '../ports/clock.js';
import type { DeadLetterStore } from '../ports/dead-letter-store.js';

export interface ErasureRequest {
  channel: Channel;
  accountId: string;
  /** The participant's channel id (a WhatsApp number, an API userId): used to find, never stored. */
  participantId: string;
}

export interface ErasureResult extends ErasureCounts {
  conversationId: string;
  messages: number;
  /** Dead-lettered messages of the conversation (they carry its text). */
  deadLetters: number;
}

export type EraseParticipantError = ValidationError;

/**
 * Right to erasure: deletes one participant's conversation from the chat store, its dead letters
 * and every analytics fact about them. Idempotent: erasing again deletes nothing and succeeds.
 */
export class EraseParticipant {
  constructor(
    private readonly chats: ChatStore,
    private readonly analytics: AnalyticsStore,
    private readonly clock: Clock,
    private readonly deadLetters: DeadLetterStore,
  ) {}

  async execute({ channel, accountId, participantId }: ErasureRequest): Promise<ErasureResult> {
    if (!accountId.trim() || !participantId.trim()) throw new ValidationError('accountId and participantId must not be empty');
    const conversationId = conversationIdFor(channel, accountId, participantId);
    // Chat store first: if analytics fails after it, a retry still finds and deletes the facts.
    const { messages } = await this.chats.eraseConversation(conversationId);
    const deadLetters = await this.deadLetters.deleteByConversation(conversationId);
    const counts = await this.analytics.eraseUser(userKeyFor(channel, accountId, participantId), this.clock.now());
    return { conversationId, messages, deadLetters, ...counts };
  }
}
