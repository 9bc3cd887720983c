import type { DeliveryState } from './delivery-status.js';
import type { Channel } from './ids.js';
import type { AgentReplyOutcome, ConversationMode } from './interaction.js';
import type { ToolCallOutcome } from './tool-call.js';

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
  /** Replies people wrote in conversations they took over (human handoff), by when their send ended. */
  agentReplies: AgentReplyCounts;
  /** The HTTP tools the model called while composing replies, by when each call happened (its `occurredAt`). */
  toolCalls: ToolCallCounts;
}

/** Agent replies by how their send ended; `unknown`: the answer was lost, so it may have reached the person. */
export interface AgentReplyCounts {
  total: number;
  sent: number;
  failed: number;
  unknown: number;
}

/** The counts of these outcomes. */
export function agentReplyCounts(outcomes: Iterable<AgentReplyOutcome>): AgentReplyCounts {
  const counts: AgentReplyCounts = { total: 0, sent: 0, failed: 0, unknown: 0 };
  for (const outcome of outcomes) {
    counts.total += 1;
    counts[outcome === 'send-unknown' ? 'unknown' : outcome] += 1;
  }
  return counts;
}

/** Tool calls by how they ended, and their latency (nearest-rank, over the calls made: 0 when none). */
export interface ToolCallCounts {
  total: number;
  ok: number;
  failed: number;
  /** The request may have reached the tool but its answer was lost: never repeated. */
  unknown: number;
  /** Never made: no such tool, arguments that do not fit, over the round's limit. */
  invalid: number;
  latencyMs: { p50: number; p95: number };
}

/** The counts and latency percentiles of these calls. */
export function toolCallCounts(calls: Iterable<{ outcome: ToolCallOutcome; latencyMs?: number }>): ToolCallCounts {
  const counts = { total: 0, ok: 0, failed: 0, unknown: 0, invalid: 0 };
  const latencies: number[] = [];
  for (const call of calls) {
    counts.total += 1;
    counts[call.outcome] += 1;
    if (call.latencyMs !== undefined) latencies.push(call.latencyMs);
  }
  latencies.sort((a, b) => a - b);
  return { ...counts, latencyMs: { p50: percentile(latencies, 50) ?? 0, p95: percentile(latencies, 95) ?? 0 } };
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

/** Which conversations a list shows: all of the range's when none is given. */
export interface ConversationFilter {
  /** Its mode at the range's end. */
  mode?: ConversationMode;
  /** How its last reported delivery ended (`lastDelivery`). */
  outcome?: DeliveryState;
  /** Part of its masked participant or of its profile name (the latest in the range), any case, spaces ignored. */
  search?: string;
}

export interface ConversationQuery extends AnalyticsQuery, ConversationFilter {
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
  /** Who answered it at the range's end: the bot unless a person took it over. */
  mode: ConversationMode;
  firstMessageAt: number;
  lastMessageAt: number;
  messagesIn: number;
  messagesOut: number;
  tokens: { prompt: number; completion: number };
  /** Replies people wrote in it whose send ended in the range, whatever the outcome. */
  agentReplies: number;
  /** The tools the model called in it in the range, whatever the outcome. */
  toolCalls: number;
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

/** `from` and `to` are aligned to the interval (in `timeZone`) by the caller: every point is a whole bucket. */
export interface TimeseriesQuery extends AnalyticsQuery {
  metric: TimeseriesMetric;
  interval: TimeseriesInterval;
  /** The IANA zone whose local hours and days are the buckets (a local day is 23 to 25 hours long); UTC when absent. */
  timeZone?: string;
}

export interface TimeseriesPoint {
  /** Start of the bucket (a local midnight or hour in the query's zone), epoch ms. */
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

/** A search as the stores compare it: lower case, without spaces (a masked number is spaced: `+49 170 •••• 4567`). */
export const searchKey = (text: string): string => text.toLowerCase().replace(/\s+/g, '');

export const hasFilter = ({ mode, outcome, search }: ConversationFilter): boolean => Boolean(mode || outcome || search);

/** True when the conversation is one the filter asks for: the search is part of its participant or its profile name, by `searchKey`. */
export function matchesFilter(c: ConversationSummary, { mode, outcome, search }: ConversationFilter): boolean {
  if ((mode && c.mode !== mode) || (outcome && c.lastDelivery !== outcome)) return false;
  if (!search) return true;
  const wanted = searchKey(search);
  return [c.participant, c.profileName].some((text) => text !== null && searchKey(text).includes(wanted));
}
