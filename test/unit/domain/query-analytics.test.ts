import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryAnalyticsStore } from '../../../src/adapters/memory/in-memory-analytics-store.js';
import type { AnalyticsQuery, ConversationQuery } from '../../../src/domain/model/analytics.js';
import { ValidationError } from '../../../src/domain/model/errors.js';
import type { MessageInteraction } from '../../../src/domain/model/interaction.js';
import { MAX_RANGE_MS, QueryAnalytics } from '../../../src/domain/use-cases/query-analytics.js';

const FROM = Date.UTC(2026, 0, 1);
const DAY = 24 * 3600 * 1000;

/** Calls inside a promise chain, so a synchronous throw and a rejection are both seen as a rejection. */
const settle = <T>(call: () => Promise<T>): Promise<T> => Promise.resolve().then(call);

function aFact(receivedAt: number): MessageInteraction {
  const messageId = randomUUID();
  return {
    type: 'message',
    eventId: `message:api:${messageId}`,
    occurredAt: receivedAt,
    channel: 'api',
    accountId: 'client-1',
    conversationId: `c_${randomUUID()}`,
    userKey: `u_${randomUUID()}`,
    messageId,
    messageType: 'text',
    receivedAt,
    outcome: 'sent',
    replyKind: 'ai',
    usage: { prompt: 10, completion: 20 },
    costUsd: 0.001,
    latencyMs: 800,
  };
}

describe('QueryAnalytics', () => {
  const query = new QueryAnalytics(new InMemoryAnalyticsStore());

  it.each<[string, AnalyticsQuery]>([
    ['from is after to', { from: FROM + 1, to: FROM }],
    ['the range exceeds 366 days', { from: FROM, to: FROM + MAX_RANGE_MS + 1 }],
    ['from is not a finite number', { from: Number.NaN, to: FROM }],
  ])('rejects a summary with a ValidationError when %s', async (_, range) => {
    await expect(settle(() => query.summary(range))).rejects.toBeInstanceOf(ValidationError);
  });

  it.each<[string, ConversationQuery]>([
    ['limit is 0', { from: FROM, to: FROM + DAY, limit: 0 }],
    ['limit is 201', { from: FROM, to: FROM + DAY, limit: 201 }],
    ['limit is not an integer', { from: FROM, to: FROM + DAY, limit: 1.5 }],
    ['from is after to', { from: FROM + DAY, to: FROM, limit: 10 }],
  ])('rejects a conversations query with a ValidationError when %s', async (_, conversationQuery) => {
    await expect(settle(() => query.conversations(conversationQuery))).rejects.toBeInstanceOf(ValidationError);
  });

  it('answers from the store when the range is exactly 366 days and the limit is within 1..200', async () => {
    const analytics = new InMemoryAnalyticsStore();
    await analytics.record(aFact(FROM + 5));
    const q = new QueryAnalytics(analytics);

    const summary = await q.summary({ from: FROM, to: FROM + MAX_RANGE_MS });
    const page1 = await q.conversations({ from: FROM, to: FROM + DAY, limit: 1 });
    const page200 = await q.conversations({ from: FROM, to: FROM + DAY, limit: 200 });

    expect(summary).toMatchObject({ messagesIn: 1, messagesOut: 1, tokens: { prompt: 10, completion: 20 } });
    expect(page1.items).toHaveLength(1);
    expect(page200.items).toHaveLength(1);
  });
});

describe('QueryAnalytics.timeseries', () => {
  const HOUR = 3600 * 1000;

  it('rounds from down and to up to whole intervals and asks the store for exactly that range', async () => {
    const asked: { from: number; to: number }[] = [];
    const store = new InMemoryAnalyticsStore();
    const spy = Object.assign(Object.create(store) as InMemoryAnalyticsStore, {
      timeseries: (q: { from: number; to: number }) => (asked.push({ from: q.from, to: q.to }), store.timeseries(q as never)),
    });
    const result = await new QueryAnalytics(spy).timeseries({ from: FROM + 90 * 60_000, to: FROM + 3 * HOUR + 1, metric: 'messagesIn', interval: 'hour' });
    expect(asked).toEqual([{ from: FROM + HOUR, to: FROM + 4 * HOUR }]);
    expect(result.from).toBe(FROM + HOUR);
    expect(result.points.map((p) => p.at)).toEqual([FROM + HOUR, FROM + 2 * HOUR, FROM + 3 * HOUR]);
  });

  it('answers one whole bucket when from equals to', async () => {
    const result = await new QueryAnalytics(new InMemoryAnalyticsStore()).timeseries({ from: FROM + 5, to: FROM + 5, metric: 'costUsd', interval: 'day' });
    expect(result).toMatchObject({ from: FROM, to: FROM + DAY, points: [{ at: FROM, value: 0 }] });
  });

  it('refuses more than 744 points and accepts exactly 744', async () => {
    const query = new QueryAnalytics(new InMemoryAnalyticsStore());
    await expect(settle(() => query.timeseries({ from: FROM, to: FROM + 745 * HOUR, metric: 'messagesIn', interval: 'hour' }))).rejects.toThrow(ValidationError);
    expect((await query.timeseries({ from: FROM, to: FROM + 744 * HOUR, metric: 'messagesIn', interval: 'hour' })).points).toHaveLength(744);
  });
});

describe('QueryAnalytics.timeseries in a time zone', () => {
  const HOUR = 3600 * 1000;
  const utc = (iso: string) => Date.parse(iso);

  function spying() {
    const asked: { from: number; to: number; timeZone?: string | undefined }[] = [];
    const store = new InMemoryAnalyticsStore();
    const spy = Object.assign(Object.create(store) as InMemoryAnalyticsStore, {
      timeseries: (q: { from: number; to: number; timeZone?: string }) => (asked.push({ from: q.from, to: q.to, timeZone: q.timeZone }), store.timeseries(q as never)),
    });
    return { asked, store, query: new QueryAnalytics(spy) };
  }

  it('rounds from down and to up to Berlin midnights, the day the clocks go back 25 hours long', async () => {
    const { asked, query } = spying();
    const result = await query.timeseries({ from: utc('2026-10-24T23:30:00Z'), to: utc('2026-10-25T23:00:00.001Z'), metric: 'messagesIn', interval: 'day', timeZone: 'Europe/Berlin' });
    expect(asked).toEqual([{ from: utc('2026-10-24T22:00:00Z'), to: utc('2026-10-26T23:00:00Z'), timeZone: 'Europe/Berlin' }]);
    expect(result.points.map((p) => p.at)).toEqual([utc('2026-10-24T22:00:00Z'), utc('2026-10-25T23:00:00Z')]);
  });

  it('rounds to Kolkata hours, which start on the half hour (UTC), and counts a fact in its local day', async () => {
    const { asked, store, query } = spying();
    await store.record(aFact(utc('2026-06-01T18:29:00Z')));
    const hours = await query.timeseries({ from: utc('2026-06-01T10:00:00Z'), to: utc('2026-06-01T11:00:00Z'), metric: 'messagesIn', interval: 'hour', timeZone: 'Asia/Kolkata' });
    expect(asked[0]).toMatchObject({ from: utc('2026-06-01T09:30:00Z'), to: utc('2026-06-01T11:30:00Z') });
    expect(hours.points).toHaveLength(2);
    const days = await query.timeseries({ from: utc('2026-06-01T18:29:00Z'), to: utc('2026-06-01T18:31:00Z'), metric: 'messagesIn', interval: 'day', timeZone: 'Asia/Kolkata' });
    expect(days.points).toEqual([{ at: utc('2026-05-31T18:30:00Z'), value: 1 }, { at: utc('2026-06-01T18:30:00Z'), value: 0 }]);
  });

  it('asks the store for a UTC series, without a zone, when the zone is UTC', async () => {
    const { asked, query } = spying();
    await query.timeseries({ from: FROM + 90 * 60_000, to: FROM + 2 * HOUR, metric: 'messagesIn', interval: 'hour', timeZone: 'Etc/UTC' });
    expect(asked).toEqual([{ from: FROM + HOUR, to: FROM + 2 * HOUR, timeZone: undefined }]);
  });

  it('refuses an unknown zone, and more than 744 local hours', async () => {
    const { query } = spying();
    await expect(settle(() => query.timeseries({ from: FROM, to: FROM + HOUR, metric: 'messagesIn', interval: 'hour', timeZone: 'Mars/Olympus' }))).rejects.toThrow(/tz must be an IANA time zone/);
    // A local hour is an hour of elapsed time, the repeated one of 2026-10-25 included.
    const from = utc('2026-09-30T22:00:00Z');
    expect((await query.timeseries({ from, to: from + 744 * HOUR, metric: 'messagesIn', interval: 'hour', timeZone: 'Europe/Berlin' })).points).toHaveLength(744);
    await expect(settle(() => query.timeseries({ from, to: from + 745 * HOUR, metric: 'messagesIn', interval: 'hour', timeZone: 'Europe/Berlin' }))).rejects.toThrow(ValidationError);
  });
});
