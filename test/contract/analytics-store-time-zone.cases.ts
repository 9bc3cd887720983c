import { describe, expect, it } from 'vitest';
import type { TimeseriesMetric, TimeseriesPoint, TimeseriesQuery } from '../../src/domain/model/analytics.js';
import { ValidationError } from '../../src/domain/model/errors.js';
import type { MessageInteraction } from '../../src/domain/model/interaction.js';
import { expectPercentile, HOUR, type AnalyticsFixture } from './analytics-store.fixture.js';

const utc = (iso: string): number => Date.parse(iso);

function expectValues(points: TimeseriesPoint[], metric: TimeseriesMetric, values: (number | null)[]): void {
  expect(points.map((p) => p.value === null), metric).toEqual(values.map((v) => v === null));
  points.forEach((point, i) => {
    if (metric.startsWith('latency')) expectPercentile(point.value, values[i]!);
    else expect(point.value, `${metric} at ${i}`).toBeCloseTo(values[i]!, 10);
  });
}

/**
 * Local days and hours of an IANA zone. The facts sit at fixed instants near local midnights (the
 * fixture's far-future days hold no others), so each case is one test: a shared database keeps them.
 */
export function timeZoneCases(current: () => AnalyticsFixture): void {
  describe('timeseries in a time zone', () => {
    const at = (f: AnalyticsFixture, iso: string, user: number, overrides: Partial<MessageInteraction> = {}) =>
      f.message({ receivedAt: utc(iso), occurredAt: utc(iso), userKey: `u-${f.run}-${user}`, conversationId: `c-${f.run}-${user}`, ...overrides });

    it('buckets by Berlin days, the day the clocks go back 25 hours long, and by its 25 local hours', async () => {
      const f = current();
      await f.recordAll([
        at(f, '2026-10-24T21:59:59.999Z', 1, { costUsd: 0.01, latencyMs: 100 }), // 23:59:59.999 on the 24th
        at(f, '2026-10-24T22:00:00.000Z', 1, { costUsd: 0.02, latencyMs: 200, outcome: 'failed', failureReason: 'reply_send_failed' }), // midnight
        at(f, '2026-10-25T00:30:00Z', 3, { latencyMs: 400 }), // 02:30 summer time
        at(f, '2026-10-25T01:30:00Z', 3, { latencyMs: 500 }), // 02:30 winter time: the repeated hour
        at(f, '2026-10-25T22:30:00Z', 2, { latencyMs: 300 }), // 23:30 on the 25th (the 25th hour)
        at(f, '2026-10-25T23:00:00Z', 2, { costUsd: 0.5, latencyMs: 5000 }), // midnight of the 26th
        f.status({ occurredAt: utc('2026-10-24T21:30:00Z'), status: 'failed', failureReason: 'reply_send_failed', userKey: `u-${f.run}-1` }),
        ...f.charged(0.1, { occurredAt: utc('2026-10-25T22:59:58Z'), userKey: `u-${f.run}-2`, conversationId: `c-${f.run}-2` }),
      ]);
      const days: TimeseriesQuery = { from: utc('2026-10-23T22:00:00Z'), to: utc('2026-10-26T23:00:00Z'), interval: 'day', timeZone: 'Europe/Berlin', metric: 'messagesIn' };
      const series = (metric: TimeseriesMetric, query = days) => f.store.timeseries({ ...query, metric });

      const messages = await series('messagesIn');
      expect(messages.map((p) => p.at)).toEqual([utc('2026-10-23T22:00:00Z'), utc('2026-10-24T22:00:00Z'), utc('2026-10-25T23:00:00Z')]);
      expectValues(messages, 'messagesIn', [1, 4, 1]);
      expectValues(await series('costUsd'), 'costUsd', [0.01, 0.12, 0.5]);
      expectValues(await series('failures'), 'failures', [1, 1, 0]);
      expectValues(await series('uniqueUsers'), 'uniqueUsers', [1, 3, 1]);
      expectValues(await series('latencyP50'), 'latencyP50', [100, 300, 5000]);

      const hours = await series('messagesIn', { ...days, from: utc('2026-10-24T22:00:00Z'), to: utc('2026-10-25T23:00:00Z'), interval: 'hour' });
      expect(hours).toHaveLength(25);
      expect(hours.filter((p) => p.value === 1).map((p) => p.at)).toEqual(['2026-10-24T22:00:00Z', '2026-10-25T00:00:00Z', '2026-10-25T01:00:00Z', '2026-10-25T22:00:00Z'].map(utc));
    });

    it('buckets by Kolkata days and hours, which start on the half hour (UTC)', async () => {
      const f = current();
      await f.recordAll([
        at(f, '2026-05-31T18:29:59.999Z', 1, { latencyMs: 100 }), // 23:59:59.999 on the 31st
        at(f, '2026-05-31T18:30:00Z', 2, { costUsd: 0.03, latencyMs: 250 }), // midnight
        // One UTC hour, two local days: a rollup of 18:00–19:00 UTC would put both in one.
        at(f, '2026-06-01T18:15:00Z', 3, { costUsd: 0.25, latencyMs: 2000, outcome: 'failed', failureReason: 'reply_send_failed' }),
        at(f, '2026-06-01T18:45:00Z', 3, { costUsd: 0.5, latencyMs: 40 }),
        ...f.charged(0.1, { occurredAt: utc('2026-06-01T18:29:00Z'), userKey: `u-${f.run}-3`, conversationId: `c-${f.run}-3` }),
      ]);
      const days: TimeseriesQuery = { from: utc('2026-05-30T18:30:00Z'), to: utc('2026-06-02T18:30:00Z'), interval: 'day', timeZone: 'Asia/Kolkata', metric: 'messagesIn' };
      const series = (metric: TimeseriesMetric, query = days) => f.store.timeseries({ ...query, metric });

      const messages = await series('messagesIn');
      expect(messages.map((p) => p.at)).toEqual(['2026-05-30T18:30:00Z', '2026-05-31T18:30:00Z', '2026-06-01T18:30:00Z'].map(utc));
      expectValues(messages, 'messagesIn', [1, 2, 1]);
      expectValues(await series('costUsd'), 'costUsd', [0, 0.38, 0.5]);
      expectValues(await series('failures'), 'failures', [0, 1, 0]);
      expectValues(await series('uniqueUsers'), 'uniqueUsers', [1, 2, 1]);
      expectValues(await series('latencyP95'), 'latencyP95', [100, 2000, 40]);

      const hours = { ...days, from: utc('2026-06-01T17:30:00Z'), to: utc('2026-06-01T19:30:00Z'), interval: 'hour' as const };
      const byHour = await series('messagesIn', hours);
      expect(byHour.map((p) => p.at)).toEqual(['2026-06-01T17:30:00Z', '2026-06-01T18:30:00Z'].map(utc));
      expectValues(byHour, 'messagesIn', [1, 1]);
      expectValues(await series('latencyP50', hours), 'latencyP50', [2000, 40]);
    });

    it('rejects a range not aligned to the local days of the zone, and an unknown zone', async () => {
      const f = current();
      const query: TimeseriesQuery = { from: utc('2026-10-24T00:00:00Z'), to: utc('2026-10-25T00:00:00Z'), interval: 'day', metric: 'messagesIn', timeZone: 'Europe/Berlin' };
      await expect(f.store.timeseries(query)).rejects.toBeInstanceOf(ValidationError);
      await expect(f.store.timeseries({ ...query, from: utc('2026-10-23T22:00:00Z'), to: utc('2026-10-23T22:00:00Z') + HOUR, interval: 'hour', timeZone: 'Mars/Olympus' })).rejects.toBeInstanceOf(ValidationError);
      expect(await f.store.timeseries({ ...query, from: utc('2026-10-23T22:00:00Z'), to: utc('2026-10-23T22:00:00Z') })).toEqual([]);
    });
  });
}
