import type { DeliveryState } from './delivery-status.js';
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
  /** AI plus WhatsApp. */
  costUsd: number;
  costBreakdown: CostBreakdown;
  /**
   * What one conversation with a message in the range cost there (AI plus WhatsApp), nearest-rank
   * percentiles, null when none: only when asked (SummaryOptions), as it regroups the range by conversation.
   */
  costPerConversationUsd?: { p50: number | null; p95: number | null };
  failures: { total: number; byReason: Record<string, number> };
}

/** What the model's tokens cost, and what WhatsApp charged for delivered messages (priced from the rate card). */
export interface CostBreakdown {
  aiUsd: number;
  whatsappUsd: number;
}

/** The total and its parts. */
export const costOf = (aiUsd: number, whatsappUsd: number): { costUsd: number; costBreakdown: CostBreakdown } => ({
  costUsd: aiUsd + whatsappUsd,
  costBreakdown: { aiUsd, whatsappUsd },
});

export interface SummaryOptions {
  /** Also the cost of one conversation, p50 and p95 (costPerConversationUsd). */
  conversationCosts?: boolean;
}

export interface ConversationQuery extends AnalyticsQuery {
  limit: number;
  cursor?: string;
}

export interface ConversationSummary {
  id: string;
  channel: Channel;
  accountId: string;
  /** Masked (`+49 170 •••• 4567`); null for conversations whose facts predate it. */
  participant: string | null;
  /** The participant's latest WhatsApp profile name in the range, when given. */
  profileName: string | null;
  /** How the conversation's last reported delivery ended (the newest status up to the range's end), if any. */
  lastDelivery: DeliveryState | null;
  firstMessageAt: number;
  lastMessageAt: number;
  messagesIn: number;
  messagesOut: number;
  tokens: { prompt: number; completion: number };
  /** AI plus WhatsApp, for the conversation's activity in the range. */
  costUsd: number;
  costBreakdown: CostBreakdown;
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

export const TIMESERIES_METRICS = [
  'messagesIn',
  'messagesOut',
  'uniqueUsers',
  'tokensPrompt',
  'tokensCompletion',
  'costUsd',
  'costAiUsd',
  'costWhatsappUsd',
  'failures',
  'latencyP50',
  'latencyP95',
  'latencyP99',
] as const;
export type TimeseriesMetric = (typeof TIMESERIES_METRICS)[number];
export type TimeseriesInterval = 'hour' | 'day';

/** `from` and `to` are aligned to the interval (UTC) by the caller: every point is a whole bucket. */
export interface TimeseriesQuery extends AnalyticsQuery {
  metric: TimeseriesMetric;
  interval: TimeseriesInterval;
}

export interface TimeseriesPoint {
  /** Start of the bucket, epoch ms (UTC). */
  at: number;
  /** 0 for empty buckets of counters; null for latency percentiles of empty buckets. */
  value: number | null;
}

export interface ErasureCounts {
  interactions: number;
  statuses: number;
}

/**
 * Latency percentiles may be computed from a histogram: an implementation may answer within 1 %
 * (at least 1 ms) of the exact nearest-rank value.
 */
export const PERCENTILE_RELATIVE_ERROR = 0.01;
