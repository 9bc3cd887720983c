import { planFor } from '../model/message.js';
import type { MessageRecord } from '../model/message-record.js';
import type { ChatStore } from '../ports/chat-store.js';

/** How many of a conversation's newest messages the turn checks look at. */
export const RECENT_MESSAGES = 30;

const arrivedBefore = (a: MessageRecord, b: MessageRecord): boolean =>
  a.message.receivedAt !== b.message.receivedAt
    ? a.message.receivedAt < b.message.receivedAt
    : a.message.sentAt !== b.message.sentAt
      ? a.message.sentAt < b.message.sentAt
      : a.message.id < b.message.id;

/**
 * Still being worked on: generating under a live lease, or received and touched within the last
 * lease period. A message whose deliveries stopped (dead-lettered) stops holding its conversation
 * back one lease period after its last attempt.
 */
const awaitsAnswer = (record: MessageRecord, now: number, leaseMs: number): boolean =>
  planFor(record.message.content).action === 'complete' &&
  ((record.state === 'generating' && record.leaseUntil > now) || (record.state === 'received' && now - record.updatedAt < leaseMs));

/**
 * True when an earlier message of the same conversation still waits for its answer: messages are
 * answered in arrival order, whatever order the bus delivers them in.
 */
export function earlierMessageWaits(recent: readonly MessageRecord[], record: MessageRecord, now: number, leaseMs: number): boolean {
  return recent.some((other) => other.message.id !== record.message.id && arrivedBefore(other, record) && awaitsAnswer(other, now, leaseMs));
}

/** Later messages of the conversation, not yet answered, that arrived within `windowMs` of this one. */
export async function foldableAfter(store: ChatStore, record: MessageRecord, windowMs: number): Promise<MessageRecord[]> {
  if (windowMs <= 0) return [];
  const recent = await store.messages(record.message.conversationId, { limit: RECENT_MESSAGES });
  return recent.filter(
    (other) =>
      other.message.id !== record.message.id &&
      other.state === 'received' &&
      planFor(other.message.content).action === 'complete' &&
      arrivedBefore(record, other) &&
      other.message.receivedAt - record.message.receivedAt <= windowMs,
  );
}

export const FOLDED_INTO = 'folded-into:';
