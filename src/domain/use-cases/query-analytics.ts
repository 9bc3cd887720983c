import type {
  AnalyticsQuery,
  AnalyticsSummary,
  ConversationQuery,
  ConversationSummary,
  Page,
  SummaryOptions,
  TimeseriesInterval,
  TimeseriesPoint,
  TimeseriesQuery,
} from '../model/analytics.js';
import { ValidationError } from '../model/errors.js';
import { ceilLocal, localBuckets, nextLocal, startOfLocal, TIME_ZONE_MESSAGE, timeZoneOf, UTC } from '../model/time-zone.js';
import type { AnalyticsStore } from '../ports/analytics-store.js';

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;
export const MAX_RANGE_MS = 366 * DAY_MS;
export const MAX_PAGE_SIZE = 200;
/** At most this many points per series: 31 days of hours, or a year and a bit of days. */
export const MAX_POINTS = 744;
const INTERVAL_MS: Record<TimeseriesInterval, number> = { hour: HOUR_MS, day: DAY_MS };

export type QueryAnalyticsError = ValidationError;

/** The analytics team's questions, over a bounded time range. */
export class QueryAnalytics {
  constructor(private readonly analytics: AnalyticsStore) {}

  async summary(query: AnalyticsQuery, options: SummaryOptions = {}): Promise<AnalyticsSummary> {
    checkRange(query);
    return this.analytics.summary(query, options);
  }

  /**
   * `from` is rounded down and `to` up to whole intervals (local hours or days of `timeZone`, UTC when
   * absent), so every point is a whole bucket.
   */
  async timeseries(query: TimeseriesQuery): Promise<{ from: number; to: number; points: TimeseriesPoint[] }> {
    checkRange(query);
    const { timeZone, ...utcQuery } = query;
    const zone = timeZone === undefined ? UTC : timeZoneOf(timeZone);
    if (zone === undefined) throw new ValidationError(TIME_ZONE_MESSAGE);
    if (zone !== UTC) return this.zonedTimeseries(utcQuery, zone);
    const step = INTERVAL_MS[query.interval];
    const from = Math.floor(query.from / step) * step;
    const to = Math.max(from + step, Math.ceil(query.to / step) * step);
    if ((to - from) / step > MAX_POINTS) throw tooManyPoints(query.interval);
    return { from, to, points: await this.analytics.timeseries({ ...utcQuery, from, to }) };
  }

  private async zonedTimeseries(query: TimeseriesQuery, timeZone: string): Promise<{ from: number; to: number; points: TimeseriesPoint[] }> {
    const from = startOfLocal(timeZone, query.interval, query.from);
    const to = Math.max(nextLocal(timeZone, query.interval, from), ceilLocal(timeZone, query.interval, query.to));
    if (localBuckets(timeZone, query.interval, from, to, MAX_POINTS).length > MAX_POINTS) throw tooManyPoints(query.interval);
    return { from, to, points: await this.analytics.timeseries({ ...query, from, to, timeZone }) };
  }

  async conversations(query: ConversationQuery): Promise<Page<ConversationSummary>> {
    checkRange(query);
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_PAGE_SIZE) {
      throw new ValidationError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    return this.analytics.conversations(query);
  }

  /** One conversation's figures over the range; null when it has no message there. */
  async conversation(conversationId: string, query: AnalyticsQuery): Promise<ConversationSummary | null> {
    checkRange(query);
    return this.analytics.conversation(conversationId, query);
  }

  /** Validates the range before the first row is produced, so a bad request fails as a whole. */
  exportConversations(query: AnalyticsQuery): AsyncIterable<ConversationSummary> {
    checkRange(query);
    return this.analytics.exportConversations(query);
  }
}

const tooManyPoints = (interval: TimeseriesInterval) =>
  new ValidationError(`a ${interval} series has at most ${MAX_POINTS} points; shorten the range or use a longer interval`);

function checkRange({ from, to }: AnalyticsQuery): void {
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new ValidationError('from and to must be valid timestamps');
  if (from > to) throw new ValidationError('from must not be after to');
  if (to - from > MAX_RANGE_MS) throw new ValidationError('the range must not exceed 366 days');
}
