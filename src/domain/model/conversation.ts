import type { Handoff } from './handoff.js';
import type { Channel } from './ids.js';
import type { Participant } from './message.js';

export interface Conversation {
  id: string;
  channel: Channel;
  accountId: string;
  participant: Participant;
  createdAt: number;
  lastMessageAt: number;
  messageCount: number;
  /** Who answers it (absent: the bot, as it always did). */
  handoff?: Handoff;
}
