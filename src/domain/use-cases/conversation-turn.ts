import { planFor } from '../model/message.js';
import type { MessageRecord } from '../model/message-record.js';

/** How many of a conversation's newest messages the turn checks look at. */
export const RECENT_MESSAGES = 30;

/**
 * What `MessageLog.history(conversation, { before, limit })` answers, taken from the conversation's
 * newest RECENT_MESSAGES (`recent`, oldest first, as `messages` answers) when they hold all of it:
 * the conversation has fewer messages than that, or at least `limit` of them arrived before.
 * Otherwise undefined: the history must be read.
 */
export function historyWithin(recent: readonly MessageRecord[], before: number, limit: number): MessageRecord[] | undefined {
  if (limit <= 0) return [];
  const earlier = recent.filter((record) => record.message.receivedAt < before);
  return recent.length < RECENT_MESSAGES || earlier.length >= limit ? earlier.slice(-limit) : undefined;
}

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
 * What an earlier message still awaiting its answer means for this one: `fold` when it arrived
 * within `windowMs` of this one (its completion will take this one in), `turn` when this one must
 * wait for its own turn, undefined when nothing earlier waits.
 */
export function awaitedEarlier(recent: readonly MessageRecord[], record: MessageRecord, now: number, leaseMs: number, windowMs: number): 'fold' | 'turn' | undefined {
  const earlier = recent.filter((other) => other.message.id !== record.message.id && arrivedBefore(other, record) && awaitsAnswer(other, now, leaseMs));
  if (earlier.length === 0) return undefined;
  return windowMs > 0 && earlier.every((other) => record.message.receivedAt - other.message.receivedAt <= windowMs) ? 'fold' : 'turn';
}

/** Later messages of the conversation, not yet answered, that arrived within `windowMs` of this one. */
export function foldableAfter(recent: readonly MessageRecord[], record: MessageRecord, windowMs: number): MessageRecord[] {
  if (windowMs <= 0) return [];
  return recent.filter(
    (other) =>
      other.message.id !== record.message.id &&
      other.state === 'received' &&
      planFor(other.message.content).action === 'complete' &&
      arrivedBefore(record, other) &&
      other.message.receivedAt - record.message.receivedAt <= windowMs,
  );
}

