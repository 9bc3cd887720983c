import type {
  AnalyticsQuery,
  AnalyticsSummary,
  ConversationQuery,
  ConversationSummary,
  ErasureCounts,
  Page,
  SummaryOptions,
  TimeseriesPoint,
  TimeseriesQuery,
} from '../model/analytics.js';
import type { InteractionEvent } from '../model/interaction.js';

/** `revised`: the event changed a recorded outcome (send-unknown settled, or a sent reply whose delivery failed). */
export type RecordResult = 'inserted' | 'revised' | 'duplicate' | 'erased';

/**
 * The analytics facts and the queries the analytics team runs on them. Ranges are half-open
 * `[from, to)` on the message's `receivedAt` (an agent reply's `occurredAt`, when its send ended;
 * a tool call's `occurredAt`; epoch ms). Latency percentiles are within `PERCENTILE_RELATIVE_ERROR` of the exact nearest-rank value.
 */
export interface AnalyticsStore {
  /**
   * Idempotent by `eventId`: the same event any number of times is one fact. An event about a user
   * erased after it happened (a late redelivery) is refused as `erased`. The exceptions: a message
   * recorded as `send-unknown` is revised once by an event of the same id that reports it `sent` or
   * `failed` (a delivery status settled it), and one recorded as `sent` once by one that reports it
   * `failed` (its delivery failed: the customer never saw the reply); an agent reply recorded as
   * `send-unknown` is revised once by one that reports it `sent` or `failed` (when it happened stays).
   * A tool call is never revised: its outcome is final when its fact is published.
   */
  record(event: InteractionEvent): Promise<RecordResult>;
  summary(query: AnalyticsQuery, options?: SummaryOptions): Promise<AnalyticsSummary>;
  /** One point per bucket from `from` to `to` (both aligned to the interval), oldest first, gaps included. */
  timeseries(query: TimeseriesQuery): Promise<TimeseriesPoint[]>;
  /** Conversations active in the range, newest activity first, with an opaque cursor. */
  conversations(query: ConversationQuery): Promise<Page<ConversationSummary>>;
  /** One conversation's figures over the range, as the list shows it; null when it has no message there. */
  conversation(conversationId: string, query: AnalyticsQuery): Promise<ConversationSummary | null>;
  /** Every conversation active in the range, newest activity first, streamed (for CSV export). */
  exportConversations(query: AnalyticsQuery): AsyncIterable<ConversationSummary>;
  /**
   * Deletes every fact about the user (right to erasure); aggregates no longer count them, and
   * events about the user that happened before `erasedAt` are refused from then on.
   */
  eraseUser(userKey: string, erasedAt: number): Promise<ErasureCounts>;
  /**
   * Retention: deletes the facts that happened before `cutoff` (messages by `receivedAt`, statuses
   * agent replies and tool calls by `occurredAt`) and whatever the store aggregated of whole hours and days before it, at most
   * `limit` rows of each kind per call, so no call holds the store for long. Answers how many rows
   * it deleted or changed: 0 when nothing older is left. Give a UTC day boundary, so that facts
   * and their aggregates go together.
   */
  deleteBefore(cutoff: number, limit: number): Promise<number>;
}
