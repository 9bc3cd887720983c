import { randomUUID } from 'node:crypto';
import type { Page } from '../../domain/model/analytics.js';
import type { DeadLetter, NewDeadLetter } from '../../domain/model/dead-letter.js';
import { userKeyFor } from '../../domain/model/ids.js';
import type { ParticipantRef } from '../../domain/ports/conversation-archive.js';
import type { DeadLetterQuery, DeadLetterStore } from '../../domain/ports/dead-letter-store.js';
import { compareIds } from '../analytics-store-support.js';
import { decodeDeadLetterCursor, encodeDeadLetterCursor } from '../dead-letter-cursor.js';

/** Dead letters in process memory (ROLE=all without a database, tests); copies in and out, like a database. */
export class InMemoryDeadLetterStore implements DeadLetterStore {
  private readonly letters = new Map<string, DeadLetter>();

  async add(letter: NewDeadLetter): Promise<{ letter: DeadLetter; created: boolean }> {
    const existing = [...this.letters.values()].find((stored) => stored.topic === letter.topic && stored.messageId === letter.messageId);
    if (existing) return { letter: copy(existing), created: false };
    const stored: DeadLetter = { ...structuredClone(letter), id: randomUUID(), replayedAt: null, replays: 0 };
    this.letters.set(stored.id, stored);
    return { letter: copy(stored), created: true };
  }

  async list({ limit, cursor }: DeadLetterQuery): Promise<Page<DeadLetter>> {
    const after = cursor ? decodeDeadLetterCursor(cursor) : undefined;
    const newestFirst = [...this.letters.values()]
      .sort((a, b) => b.deadLetteredAt - a.deadLetteredAt || compareIds(b.id, a.id))
      .filter((letter) => !after || letter.deadLetteredAt < after.at || (letter.deadLetteredAt === after.at && compareIds(letter.id, after.id) < 0));
    const items = newestFirst.slice(0, limit).map(copy);
    const last = items.at(-1);
    return { items, nextCursor: newestFirst.length > limit && last ? encodeDeadLetterCursor(last) : null };
  }

  async get(id: string): Promise<DeadLetter | null> {
    const letter = this.letters.get(id);
    return letter ? copy(letter) : null;
  }

  async markReplayed(id: string, seenReplays: number, at: number): Promise<DeadLetter | null> {
    const letter = this.letters.get(id);
    if (!letter || letter.replays !== seenReplays) return null;
    letter.replays += 1;
    letter.replayedAt = at;
    return copy(letter);
  }

  async deleteByConversation(conversationId: string): Promise<number> {
    return this.deleteWhere((letter) => letter.conversationId === conversationId);
  }

  async deleteByParticipant({ channel, accountId, participantId }: ParticipantRef): Promise<number> {
    const userKey = userKeyFor(channel, accountId, participantId);
    return this.deleteWhere((letter) => {
      if (letter.topic === 'interactions') return letter.event.userKey === userKey;
      const { kind } = letter.event;
      // An agent reply names no person: it goes with its conversation (erased through deleteByConversation).
      if (kind === 'agent-reply') return false;
      const [about, who] = kind === 'message' ? [letter.event.message, letter.event.message.participant.id] : [letter.event.status, letter.event.status.recipientId];
      return about.channel === channel && about.accountId === accountId && who === participantId;
    });
  }

  async deleteDeadLetteredBefore(cutoff: number, limit: number): Promise<number> {
    const oldest = [...this.letters.values()].filter((letter) => letter.deadLetteredAt < cutoff).sort((a, b) => a.deadLetteredAt - b.deadLetteredAt || compareIds(a.id, b.id));
    for (const letter of oldest.slice(0, limit)) this.letters.delete(letter.id);
    return Math.min(limit, oldest.length);
  }

  private deleteWhere(doomed: (letter: DeadLetter) => boolean): number {
    const found = [...this.letters.values()].filter(doomed);
    for (const letter of found) this.letters.delete(letter.id);
    return found.length;
  }
}

const copy = (letter: DeadLetter): DeadLetter => structuredClone(letter);
