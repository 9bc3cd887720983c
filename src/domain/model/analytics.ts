import type { Channel } from './ids.js';

export interface AnalyticsQuery {
  from: number;
  to: number;
  channel?: Channel;
}

export interface AnalyticsSummary {
  conversations: number;
  messagesIn: number;
  messagesOut: number;
  uniqueUsers: number;
  replyLatencyMs: { p50: number | null; p95: number | null; p99: number | null };
  tokens: { prompt: number; completion: number };
  costUsd: number;
  failures: { total: number; byReason: Record<string, number> };
}

export interface ConversationQuery extends AnalyticsQuery {
  limit: number;
  cursor?: string;
}

export interface ConversationSummary {
  id: string;
  channel: Channel;
  accountId: string;
  firstMessageAt: number;
  lastMessageAt: number;
  messagesIn: number;
  messagesOut: number;
  costUsd: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Nearest-rank percentile of an ascending-sorted list; null for an empty list. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
