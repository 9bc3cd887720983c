import { describe, expect, it } from 'vitest';
import { TIMESERIES_METRICS, type TimeseriesMetric, type TimeseriesPoint } from '../../src/domain/model/analytics.js';
import { ValidationError } from '../../src/domain/model/errors.js';
import type { InteractionEvent, MessageInteraction } from '../../src/domain/model/interaction.js';
import { DAY, expectPercentile, HOUR, type AnalyticsFixture } from './analytics-store.fixture.js';

type Expected = Record<TimeseriesMetric, (number | null)[]>;

function expectSeries(points: TimeseriesPoint[], metric: TimeseriesMetric, starts: number[], values: (number | null)[]): void {
  expect(points.map((p) => p.at), metric).toEqual(starts);
  points.forEach((point, i) => {
    const exact = values[i]!;
    if (metric.startsWith('latency')) expectPercentile(point.value, exact);
    else if (metric.startsWith('cost')) expect(point.value, metric).toBeCloseTo(exact!, 10);
    else expect(point.value, `${metric} at ${i}`).toBe(exact);
  });
}

/** Three buckets with an empty one in the middle: one way per metric of filling them. */
export function timeseriesCases(current: () => AnalyticsFixture): void {
  describe('timeseries', () => {
    function threeBuckets(f: AnalyticsFixture, step: number): InteractionEvent[] {
      const at = (bucket: number, offset: number, overrides: Partial<MessageInteraction>) =>
        f.message({ receivedAt: f.base + bucket * step + offset, occurredAt: f.base + bucket * step + offset, ...overrides });
      const user = (n: number) => ({ userKey: `u-${f.run}-${n}`, conversationId: `c-${f.run}-${n}` });
      return [
        at(0, 0, { ...user(1), usage: { prompt: 10, completion: 5 }, costUsd: 0.01, latencyMs: 100 }),
        at(0, step - 1, { ...user(2), outcome: 'failed', failureReason: 'reply_send_failed', usage: { prompt: 3, completion: 1 }, costUsd: 0.002, latencyMs: 300 }),
        at(0, 60_000, { ...user(1), outcome: 'skipped', replyKind: undefined, latencyMs: undefined }),
        at(2, 1000, { ...user(1), replyKind: 'fallback', failureReason: 'completion_failed', latencyMs: 1000 }),
        at(2, 2000, { ...user(3), channel: 'api', usage: { prompt: 7, completion: 2 }, costUsd: 0.5, latencyMs: 5000 }),
        at(3, 0, { ...user(4), usage: { prompt: 99, completion: 99 } }), // at `to`: outside
        // WhatsApp charges fall where the message was delivered; its `read` a second later repeats the charge.
        ...f.charged(0.05, { ...user(1), occurredAt: f.base + 5000 }),
        ...f.charged(0.1, { ...user(2), occurredAt: f.base + 2 * step + 5000 }),
        ...f.charged(7, { ...user(4), occurredAt: f.base + 3 * step }), // at `to`: outside
      ];
    }

    const expected: Expected = {
      messagesIn: [3, 0, 2],
      messagesOut: [1, 0, 2],
      uniqueUsers: [2, 0, 2],
      tokensPrompt: [13, 0, 7],
      tokensCompletion: [6, 0, 2],
      costUsd: [0.062, 0, 0.6],
      costAiUsd: [0.012, 0, 0.5],
      costWhatsappUsd: [0.05, 0, 0.1],
      failures: [1, 0, 1],
      latencyP50: [100, null, 1000],
      latencyP95: [300, null, 5000],
      latencyP99: [300, null, 5000],
    };

    for (const [interval, step] of [['hour', HOUR], ['day', DAY]] as const) {
      it(`answers one point per ${interval} for every metric, 0 or null for the empty ${interval}`, async () => {
        const f = current();
        await f.recordAll(threeBuckets(f, step));
        const starts = [0, 1, 2].map((i) => f.base + i * step);

        for (const metric of TIMESERIES_METRICS) {
          const points = await f.store.timeseries({ from: f.base, to: f.base + 3 * step, metric, interval });
          expectSeries(points, metric, starts, expected[metric]);
        }
      });
    }

    it('counts only the channel asked for when a channel filter is given', async () => {
      const f = current();
      await f.recordAll(threeBuckets(f, HOUR));
      const query = { from: f.base, to: f.base + 3 * HOUR, interval: 'hour' as const, channel: 'api' as const };

      expect((await f.store.timeseries({ ...query, metric: 'messagesIn' })).map((p) => p.value)).toEqual([0, 0, 1]);
      expectSeries(await f.store.timeseries({ ...query, metric: 'latencyP50' }), 'latencyP50', [0, 1, 2].map((i) => f.base + i * HOUR), [null, null, 5000]);
      // The whole day holds the message at hour 3 too (user 4).
      const day = { ...query, channel: 'whatsapp' as const, metric: 'uniqueUsers' as const, interval: 'day' as const, to: f.base + DAY };
      expect((await f.store.timeseries(day)).map((p) => p.value)).toEqual([3]);
    });

    it('counts a user once per day when they are active in several hours of it', async () => {
      const f = current();
      await f.recordAll([1, 5, 9].map((h) => f.message({ receivedAt: f.base + h * HOUR })));
      const query = { from: f.base, to: f.base + DAY, metric: 'uniqueUsers' as const };

      expect((await f.store.timeseries({ ...query, interval: 'day' })).map((p) => p.value)).toEqual([1]);
      expect((await f.store.timeseries({ ...query, interval: 'hour' })).filter((p) => p.value === 1)).toHaveLength(3);
    });

    it('returns no points when the range is empty and rejects a range not aligned to the interval', async () => {
      const f = current();
      expect(await f.store.timeseries({ from: f.base, to: f.base, metric: 'messagesIn', interval: 'day' })).toEqual([]);
      await expect(f.store.timeseries({ from: f.base + 1, to: f.base + DAY, metric: 'messagesIn', interval: 'hour' })).rejects.toBeInstanceOf(ValidationError);
      await expect(f.store.timeseries({ from: f.base, to: f.base + HOUR, metric: 'messagesIn', interval: 'day' })).rejects.toBeInstanceOf(ValidationError);
    });
  });
}
