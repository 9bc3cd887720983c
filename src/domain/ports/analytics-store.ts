import type {
  AnalyticsQuery,
  AnalyticsSummary,
  ConversationQuery,
  ConversationSummary,
  ErasureCounts,
  Page,
  TimeseriesPoint,
  TimeseriesQuery,
} from '../model/analytics.js';
import type { InteractionEvent } from '../model/interaction.js';

/**
 * The analytics facts and the queries the analytics team runs on them. Ranges are half-open
 * `[from, to)` on the message's `receivedAt` (epoch ms). Latency percentiles are within
 * `PERCENTILE_RELATIVE_ERROR` of the exact nearest-rank value.
 */
export interface AnalyticsStore {
  /** Idempotent by `eventId`: the same event any number of times is one fact. */
  record(event: InteractionEvent): Promise<'inserted' | 'duplicate'>;
  summary(query: AnalyticsQuery): Promise<AnalyticsSummary>;
  /** One point per bucket from `from` to `to` (both aligned to the interval), oldest first, gaps included. */
  timeseries(query: TimeseriesQuery): Promise<TimeseriesPoint[]>;
  /** Conversations active in the range, newest activity first, with an opaque cursor. */
  conversations(query: ConversationQuery): Promise<Page<ConversationSummary>>;
  /** Every conversation active in the range, newest activity first, streamed (for CSV export). */
  exportConversations(query: AnalyticsQuery): AsyncIterable<ConversationSummary>;
  /** Deletes every fact about the user (right to erasure); aggregates no longer count them. */
  eraseUser(userKey: string): Promise<ErasureCounts>;
}
