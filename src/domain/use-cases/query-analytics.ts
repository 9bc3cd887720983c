import type { AnalyticsQuery, AnalyticsSummary, ConversationQuery, ConversationSummary, Page } from '../model/analytics.js';
import { ValidationError } from '../model/errors.js';
import type { AnalyticsStore } from '../ports/analytics-store.js';

export const MAX_RANGE_MS = 366 * 24 * 3600 * 1000;
export const MAX_PAGE_SIZE = 200;

export type QueryAnalyticsError = ValidationError;

/** The analytics team's questions, over a bounded time range. */
export class QueryAnalytics {
  constructor(private readonly analytics: AnalyticsStore) {}

  async summary(query: AnalyticsQuery): Promise<AnalyticsSummary> {
    checkRange(query);
    return this.analytics.summary(query);
  }

  async conversations(query: ConversationQuery): Promise<Page<ConversationSummary>> {
    checkRange(query);
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_PAGE_SIZE) {
      throw new ValidationError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    return this.analytics.conversations(query);
  }
}

function checkRange({ from, to }: AnalyticsQuery): void {
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new ValidationError('from and to must be valid timestamps');
  if (from > to) throw new ValidationError('from must not be after to');
  if (to - from > MAX_RANGE_MS) throw new ValidationError('the range must not exceed 366 days');
}
