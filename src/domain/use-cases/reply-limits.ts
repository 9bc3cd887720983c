import type { InboundMessage } from '../model/message.js';
import type { MessageRecord } from '../model/message-record.js';
import type { ConversationArchive } from '../ports/conversation-archive.js';
import type { SpendLedger } from '../ports/spend-ledger.js';
import type { LimitReason } from '../model/reasons.js';

export const MINUTE_MS = 60_000;

export type LimitVerdict =
  | { kind: 'within' }
  /** Over a limit: answer with the limit reply (the first time in its window) or stay silent. */
  | { kind: 'over'; reason: LimitReason; replyOnce: boolean };

export type OverLimit = Extract<LimitVerdict, { kind: 'over' }>;

export interface Limits {
  ratePerMinute: number;
  dailySpendCapUsd: number;
}

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Checks the participant's message rate (per minute, across all their conversations on the
 * channel account: an API client names conversations at will) and the channel's spend today.
 * The limit reply goes out once per window: once per minute per participant for the rate, once
 * per conversation per UTC day for the spend cap.
 */
export async function checkLimits(store: ConversationArchive & SpendLedger, message: InboundMessage, limits: Limits, now: number): Promise<LimitVerdict> {
  if (limits.ratePerMinute > 0) {
    const participant = { channel: message.channel, accountId: message.accountId, participantId: message.participant.id };
    const window = { after: message.receivedAt - MINUTE_MS, upTo: message.receivedAt, except: message.id, note: 'rate_limited' as const };
    const { messages, limitReplied } = await store.participantWindow(participant, window);
    if (messages > limits.ratePerMinute) return { kind: 'over', reason: 'rate_limited', replyOnce: !limitReplied };
  }
  if (limits.dailySpendCapUsd > 0 && (await store.spendOf(message.accountId, utcDay(now))) >= limits.dailySpendCapUsd) return spendCapped(store, message, now);
  return { kind: 'within' };
}

/** Over the channel's spend cap: the limit reply once per conversation and UTC day, silence after it. */
export async function spendCapped(store: ConversationArchive, message: InboundMessage, now: number): Promise<OverLimit> {
  const today = (await store.messages(message.conversationId, { limit: 200 })).filter((record) => utcDay(record.message.receivedAt) === utcDay(now));
  return { kind: 'over', reason: 'spend_capped', replyOnce: !alreadyToldIn(today, message, 'spend_capped') };
}

function alreadyToldIn(records: readonly MessageRecord[], message: InboundMessage, reason: LimitReason): boolean {
  return records.some((record) => record.message.id !== message.id && record.reply?.kind === 'limit' && record.note === reason);
}
