import type { InboundMessage } from '../model/message.js';
import type { MessageRecord } from '../model/message-record.js';
import type { ChatStore } from '../ports/chat-store.js';

export const MINUTE_MS = 60_000;

export type LimitVerdict =
  | { kind: 'within' }
  /** Over a limit: answer with the limit reply (the first time in its window) or stay silent. */
  | { kind: 'over'; reason: 'rate-limited' | 'spend-capped'; replyOnce: boolean };

export interface Limits {
  ratePerMinute: number;
  dailySpendCapUsd: number;
}

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Checks the participant's message rate (per conversation, per minute, over `recent`: the
 * conversation's newest messages, at least `ratePerMinute + 1` of them) and the channel's spend
 * today. The limit reply goes out once per window: once per minute for the rate, once per
 * conversation per UTC day for the spend cap.
 */
export async function checkLimits(
  store: ChatStore,
  message: InboundMessage,
  recent: readonly MessageRecord[],
  limits: Limits,
  now: number,
): Promise<LimitVerdict> {
  if (limits.ratePerMinute > 0) {
    const inWindow = recent.filter((record) => record.message.receivedAt > message.receivedAt - MINUTE_MS && record.message.receivedAt <= message.receivedAt);
    if (inWindow.length > limits.ratePerMinute) {
      return { kind: 'over', reason: 'rate-limited', replyOnce: !alreadyToldIn(inWindow, message, 'rate-limited') };
    }
  }
  if (limits.dailySpendCapUsd > 0 && (await store.spendOf(message.accountId, utcDay(now))) >= limits.dailySpendCapUsd) {
    const today = (await store.messages(message.conversationId, { limit: 200 })).filter((record) => utcDay(record.message.receivedAt) === utcDay(now));
    return { kind: 'over', reason: 'spend-capped', replyOnce: !alreadyToldIn(today, message, 'spend-capped') };
  }
  return { kind: 'within' };
}

function alreadyToldIn(records: readonly MessageRecord[], message: InboundMessage, reason: string): boolean {
  return records.some((record) => record.message.id !== message.id && record.reply?.kind === 'limit' && record.note === reason);
}
