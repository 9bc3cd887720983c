import type { AnalyticsQuery, ConversationFilter } from '../../domain/model/analytics.js';
import { DELIVERY_STATES } from '../../domain/model/delivery-status.js';
import { CHANNELS } from '../../domain/model/ids.js';
import { CONVERSATION_MODES } from '../../domain/model/interaction.js';
import { nextLocal, startOfLocalDate } from '../../domain/model/time-zone.js';
import { MAX_RANGE_MS } from '../../domain/use-cases/query-analytics.js';
import { RANGES } from './overview-data.js';
import type { ConversationListView } from './views/conversations-page.js';

const DAY_MS = 24 * 3600_000;
const daysOf = (raw: string | undefined): number => RANGES.find((days) => String(days) === raw) ?? 30;

/** The list's range, channel and filters from the query; what is unknown or empty is left out, never an error. */
export function listViewOf(query: (name: string) => string | undefined): ConversationListView {
  const search = query('q')?.trim().slice(0, 64);
  const channel = CHANNELS.find((name) => name === query('channel'));
  const mode = CONVERSATION_MODES.find((name) => name === query('mode'));
  const outcome = DELIVERY_STATES.find((name) => name === query('outcome'));
  const [fromDate, toDate] = [dateOf(query('from')), dateOf(query('to'))];
  return {
    days: daysOf(query('days')),
    channel,
    ...(fromDate ? { fromDate } : {}),
    ...(toDate ? { toDate } : {}),
    ...(mode ? { mode } : {}),
    ...(outcome ? { outcome } : {}),
    ...(search ? { search } : {}),
  };
}

/** A real calendar date as `<input type="date">` sends it, else undefined. */
function dateOf(raw: string | undefined): string | undefined {
  const m = raw === undefined ? null : /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  return m && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().startsWith(raw!) ? raw : undefined;
}

/**
 * The list's range: from the local midnight of `fromDate` (else `days` before its end) to the end of
 * `toDate` (else now), in the dashboard's time zone; at most the longest range the analytics answer,
 * counted back from its end. Dates the wrong way round are swapped.
 */
function listRangeOf(view: ConversationListView, now: number, zone: string): { from: number; to: number } {
  const midnight = (date: string) => startOfLocalDate(zone, Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
  const [first, last] = view.fromDate && view.toDate && view.fromDate > view.toDate ? [view.toDate, view.fromDate] : [view.fromDate, view.toDate];
  const to = last ? nextLocal(zone, 'day', midnight(last)) : now + 1;
  const from = first ? midnight(first) : to - view.days * DAY_MS;
  return { from: Math.max(Math.min(from, to), to - MAX_RANGE_MS), to };
}

/** What the list asks the analytics: its range, channel and filters. */
export function listQueryOf(view: ConversationListView, now: number, zone: string): AnalyticsQuery & ConversationFilter {
  const { channel, mode, outcome, search } = view;
  return {
    ...listRangeOf(view, now, zone),
    ...(channel ? { channel } : {}),
    ...(mode ? { mode } : {}),
    ...(outcome ? { outcome } : {}),
    ...(search ? { search } : {}),
  };
}
