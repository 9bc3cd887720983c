import type { AnalyticsQuery, AnalyticsSummary, ConversationQuery, ConversationSummary, Page } from '../model/analytics.js';
import type { InteractionEvent } from '../model/interaction.js';

/** The analytics facts and the queries the analytics team runs on them. */
export interface AnalyticsStore {
  /** Idempotent by `eventId`: the same event any number of times is one fact. */
  record(event: InteractionEvent): Promise<'inserted' | 'duplicate'>;
  summary(query: AnalyticsQuery): Promise<AnalyticsSummary>;
  conversations(query: ConversationQuery): Promise<Page<ConversationSummary>>;
}
