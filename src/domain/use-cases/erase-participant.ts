import type { ErasureCounts } from '../model/analytics.js';
import { ValidationError } from '../model/errors.js';
import { apiConversationIdFor, conversationIdFor, userKeyFor, type Channel } from '../model/ids.js';
import type { AnalyticsStore } from '../ports/analytics-store.js';
import type { ConversationArchive } from '../ports/conversation-archive.js';
import type { Clock } from '../ports/clock.js';
import type { DeadLetterStore } from '../ports/dead-letter-store.js';

export interface ErasureRequest {
  channel: Channel;
  accountId: string;
  /** The participant's channel id (a WhatsApp number, an API userId): used to find, never stored. */
  participantId: string;
}

export interface ErasureResult extends ErasureCounts {
  /** Every conversation of the participant that was erased (ids are pseudonymous). */
  conversationIds: string[];
  messages: number;
  /** Dead-lettered messages of those conversations (they carry their text). */
  deadLetters: number;
}

export type EraseParticipantError = ValidationError;

/**
 * Right to erasure: deletes every conversation the participant wrote in on the channel, whatever
 * its id (API clients name their own), with its messages and dead letters, and every analytics
 * fact about them. The claims of erased messages stay, so a late redelivery is never answered.
 * Idempotent: erasing again deletes nothing and succeeds.
 */
export class EraseParticipant {
  constructor(
    private readonly chats: ConversationArchive,
    private readonly analytics: AnalyticsStore,
    private readonly clock: Clock,
    private readonly deadLetters: DeadLetterStore,
  ) {}

  async execute({ channel, accountId, participantId }: ErasureRequest): Promise<ErasureResult> {
    if (!accountId.trim() || !participantId.trim()) throw new ValidationError('accountId and participantId must not be empty');
    const found = new Set((await this.chats.conversationsOf({ channel, accountId, participantId })).map((conversation) => conversation.id));
    const erased: string[] = [];
    let messages = 0;
    let deadLetters = 0;
    // Chat store first: if analytics fails after it, a retry still finds and deletes the facts.
    for (const conversationId of new Set([...found, ...derivedIds(channel, accountId, participantId)])) {
      const deleted = (await this.chats.eraseConversation(conversationId)).messages;
      const letters = await this.deadLetters.deleteByConversation(conversationId);
      if (found.has(conversationId) || deleted + letters > 0) erased.push(conversationId);
      messages += deleted;
      deadLetters += letters;
    }
    // Letters of messages the store never kept (it was down while they were retried) too.
    deadLetters += await this.deadLetters.deleteByParticipant({ channel, accountId, participantId });
    const counts = await this.analytics.eraseUser(userKeyFor(channel, accountId, participantId), this.clock.now());
    return { conversationIds: erased.sort(), messages, deadLetters, ...counts };
  }
}

/**
 * The conversations the listeners derive for the participant: they are erased even when the store
 * cannot name them (stored before it recorded participants), and their dead letters with them.
 */
function derivedIds(channel: Channel, accountId: string, participantId: string): string[] {
  return channel === 'api' ? [apiConversationIdFor(accountId, participantId)] : [conversationIdFor(channel, accountId, participantId)];
}
