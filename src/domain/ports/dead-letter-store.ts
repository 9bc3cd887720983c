import type { Page } from '../model/analytics.js';
import type { DeadLetter, NewDeadLetter } from '../model/dead-letter.js';
import type { ParticipantRef } from './conversation-archive.js';

export interface DeadLetterQuery {
  /** At most this many (1–100). */
  limit: number;
  /** The `nextCursor` of the page before; absent for the newest page. */
  cursor?: string;
}

/**
 * Messages the bus dead-lettered, kept so an operator can see and replay them. Adding is
 * idempotent (the bus delivers dead letters at least once too), and marking a replay is a
 * compare-and-set, so two operators replaying the same letter at once record one replay.
 */
export interface DeadLetterStore {
  /** Stores the letter once per (topic, messageId); `created` is false when it was already there (the stored one is returned). */
  add(letter: NewDeadLetter): Promise<{ letter: DeadLetter; created: boolean }>;
  /** Newest dead-lettered first (ties by id); a cursor that is not one of ours is a `ValidationError`. */
  list(query: DeadLetterQuery): Promise<Page<DeadLetter>>;
  /** The letter, or null for an unknown (or malformed) id. */
  get(id: string): Promise<DeadLetter | null>;
  /**
   * Records a replay at `at` only when the letter has still been replayed `seenReplays` times:
   * the updated letter, or null when another replay came first (or the letter is gone).
   */
  markReplayed(id: string, seenReplays: number, at: number): Promise<DeadLetter | null>;
  /** Deletes every letter of the conversation (erasure); answers how many. */
  deleteByConversation(conversationId: string): Promise<number>;
  /**
   * Deletes every letter about the participant on that channel and account (erasure): their
   * inbound messages and statuses, and the interaction events of their user key, in whatever
   * conversation (one the chat store never stored included); answers how many.
   */
  deleteByParticipant(participant: ParticipantRef): Promise<number>;
  /**
   * Retention: deletes at most `limit` letters dead-lettered before `cutoff` (epoch ms), oldest
   * first; answers how many (fewer than `limit`: none older is left).
   */
  deleteDeadLetteredBefore(cutoff: number, limit: number): Promise<number>;
}
