import type { TimeseriesQuery } from '../domain/model/analytics.js';
import { ValidationError } from '../domain/model/errors.js';
import { localBuckets, startOfLocal, TIME_ZONE_MESSAGE, timeZoneOf, UTC } from '../domain/model/time-zone.js';

// Shared by every AnalyticsStore adapter so cursors and buckets mean the same thing in each.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

// The bucket width of a timeseries; rejects a range not aligned to it (the port asks the caller to align).
export function timeseriesStep({ from, to, interval }: Pick<TimeseriesQuery, 'from' | 'to' | 'interval'>): number {
  const step = interval === 'day' ? DAY_MS : HOUR_MS;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from % step !== 0 || to % step !== 0) {
    throw new ValidationError(`from and to must be aligned to whole ${interval}s (UTC)`);
  }
  return step;
}

/**
 * The starts of the buckets of a timeseries, `[from, to)` cut into the local hours or days of its
 * zone; rejects a range not aligned to them. Without a zone (or in UTC): steps of `timeseriesStep`.
 */
export function timeseriesBuckets(query: Pick<TimeseriesQuery, 'from' | 'to' | 'interval' | 'timeZone'>): number[] {
  const zone = query.timeZone === undefined ? UTC : timeZoneOf(query.timeZone);
  if (zone === undefined) throw new ValidationError(TIME_ZONE_MESSAGE);
  if (zone === UTC) {
    const step = timeseriesStep(query);
    return Array.from({ length: Math.max(0, (query.to - query.from) / step) }, (_, i) => query.from + i * step);
  }
  const { from, to, interval } = query;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || startOfLocal(zone, interval, from) !== from || (to > from && startOfLocal(zone, interval, to) !== to)) {
    throw new ValidationError(`from and to must be aligned to whole ${interval}s (${zone})`);
  }
  return localBuckets(zone, interval, from, to);
}

// Ids compare by code unit, like PostgreSQL's "C" collation, so every adapter orders ties alike.
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function encodeCursor(c: { lastMessageAt: number; id: string }): string {
  return Buffer.from(JSON.stringify([c.lastMessageAt, c.id])).toString('base64url');
}

// Years 1 to 9999: what an ISO timestamp and every store can hold.
const MIN_CURSOR_MS = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_CURSOR_MS = Date.parse('9999-12-31T23:59:59.999Z');

export function decodeCursor(cursor: string): { at: number; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'number' && at >= MIN_CURSOR_MS && at <= MAX_CURSOR_MS && typeof id === 'string') return { at, id };
  } catch {
    // fall through to the error below: a cursor is opaque, any other shape is invalid
  }
  throw new ValidationError('cursor is not valid');
}
