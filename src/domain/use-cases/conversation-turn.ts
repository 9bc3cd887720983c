import { planFor } from '../model/message.js';
import type { MessageRecord } from '../model/message-record.js';
import type { ChatStore } from '../ports/chat-store.js';

/** Unanswered messages older than this no longer hold their conversation back (a lost message must not block it). */
export const TURN_HORIZON_MS = 10 * 60_000;
const LOOKBACK = 30;

const arrivedBefore = (a: MessageRecord, b: MessageRecord): boolean =>
  a.message.receivedAt !== b.message.receivedAt
    ? a.message.receivedAt < b.message.receivedAt
    : a.message.sentAt !== b.message.sentAt
      ? a.message.sentAt < b.message.sentAt
      : a.message.id < b.message.id;

const awaitsAnswer = (record: MessageRecord): boolean =>
  (record.state === 'received' || record.state === 'generating') && planFor(record.message.content).action === 'complete';

/**
 * True when an earlier message of the same conversation still waits for its answer: messages are
 * answered in arrival order, whatever order the bus delivers them in.
 */
export async function earlierMessageWaits(store: ChatStore, record: MessageRecord, now: number): Promise<boolean> {
  const recent = await store.messages(record.message.conversationId, { limit: LOOKBACK });
  return recent.some(
    (other) => other.message.id !== record.message.id && awaitsAnswer(other) && arrivedBefore(other, record) && now - other.message.receivedAt < TURN_HORIZON_MS,
  );
}

/** Later messages of the conversation, not yet answered, that arrived within `windowMs` of this one. */
export async function foldableAfter(store: ChatStore, record: MessageRecord, windowMs: number): Promise<MessageRecord[]> {
  if (windowMs <= 0) return [];
  const recent = await store.messages(record.message.conversationId, { limit: LOOKBACK });
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
