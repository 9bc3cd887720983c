import type { Conversation } from '../model/conversation.js';
import type { Handoff, HandoffChange } from '../model/handoff.js';
import type { ConversationMode } from '../model/interaction.js';
import type { MessagePatch, MessageRecord } from '../model/message-record.js';

/** A claim's outcome: the mode it read (with the whole handoff) and the message as written under it. */
export interface ModeClaim {
  mode: ConversationMode;
  handoff: Handoff;
  record: MessageRecord;
}

/**
 * Who answers each conversation (human handoff), and the claim that reads it. A handoff change and
 * a claim of one of the conversation's messages serialise: whichever comes second sees the first.
 */
export interface HandoffLog {
  /** The conversation's handoff (`BOT_HANDOFF` when nothing changed it), or null when the conversation is not stored. */
  handoff(conversationId: string): Promise<Handoff | null>;

  /**
   * Compare-and-set: writes `next` (version + 1) when the stored handoff's version is
   * `expectedVersion`; null when another writer changed it first or the conversation is not stored.
   */
  replaceHandoff(conversationId: string, expectedVersion: number, next: HandoffChange): Promise<Handoff | null>;

  /**
   * The claim that decides who answers: in one atomic step, reads the conversation's mode and
   * applies `patches[mode]` to the message when its stored version is `expectedVersion`. Null when
   * another writer changed the message first (or it is gone).
   */
  claim(conversationId: string, messageId: string, expectedVersion: number, patches: Record<ConversationMode, MessagePatch>): Promise<ModeClaim | null>;

  /** Conversations waiting for a person (asked for one, nobody took it yet), longest waiting first, at most `limit`. */
  waitingForHuman(options: { limit: number }): Promise<Conversation[]>;
}
