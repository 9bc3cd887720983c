import { describe, expect, it } from 'vitest';
import type { MessageInteraction } from '../../src/domain/model/interaction.js';
import { DAY, expectPercentile, expectPercentiles, HOUR, type AnalyticsFixture } from './analytics-store.fixture.js';

export function erasureCases(current: () => AnalyticsFixture): void {
  describe('eraseUser', () => {
    async function twoUsers(f: AnalyticsFixture) {
      const erased = { userKey: `u-${f.run}-erased`, conversationId: `c-${f.run}-erased` };
      const kept = { userKey: `u-${f.run}-kept`, conversationId: `c-${f.run}-kept` };
      const at = (offset: number, overrides: Partial<MessageInteraction>) => f.message({ receivedAt: f.base + offset, occurredAt: f.base + offset, ...overrides });
      await f.recordAll([
        at(1000, { ...erased, outcome: 'failed', failureReason: 'reply_send_failed', usage: { prompt: 100, completion: 10 }, costUsd: 0.3, latencyMs: 5000 }),
        at(2 * HOUR + 5, { ...erased, replyKind: 'fallback', failureReason: 'completion_failed', usage: { prompt: 50, completion: 5 }, latencyMs: 7000 }),
        at(DAY + HOUR, { ...erased, usage: { prompt: 1, completion: 1 }, latencyMs: 150 }),
        f.status(erased),
        at(1500, { ...kept, usage: { prompt: 7, completion: 3 }, costUsd: 0.1, latencyMs: 200 }),
        f.status(kept),
      ]);
      return { erased: erased.userKey, kept: kept.userKey };
    }

    it('forgets every fact of the user in summaries, timeseries and conversations and returns what it deleted', async () => {
      const f = current();
      const { erased } = await twoUsers(f);
      expect((await f.store.summary({ from: f.base, to: f.base + 2 * DAY })).uniqueUsers).toBe(2);

      expect(await f.store.eraseUser(erased, f.base + 10 * DAY)).toEqual({ interactions: 3, statuses: 1 });

      // A whole day (rollups), a range cut inside hours (facts) and two days.
      for (const range of [{ from: f.base, to: f.base + DAY }, { from: f.base + 500, to: f.base + DAY - 500 }, { from: f.base, to: f.base + 2 * DAY }]) {
        const summary = await f.store.summary(range);
        expect(summary).toMatchObject({
          conversations: 1,
          messagesIn: 1,
          messagesOut: 1,
          uniqueUsers: 1,
          tokens: { prompt: 7, completion: 3 },
          failures: { total: 0, byReason: {} },
        });
        expect(summary.costUsd).toBeCloseTo(0.1, 10);
        expectPercentiles(summary.replyLatencyMs, { p50: 200, p95: 200, p99: 200 });
      }
      const hours = { from: f.base, to: f.base + 3 * HOUR, interval: 'hour' as const };
      expect((await f.store.timeseries({ ...hours, metric: 'messagesIn' })).map((p) => p.value)).toEqual([1, 0, 0]);
      expect((await f.store.timeseries({ ...hours, metric: 'failures' })).map((p) => p.value)).toEqual([0, 0, 0]);
      const latency = await f.store.timeseries({ ...hours, metric: 'latencyP99' });
      [200, null, null].forEach((exact, i) => expectPercentile(latency[i]!.value, exact));
      const days = { from: f.base, to: f.base + 2 * DAY, interval: 'day' as const };
      expect((await f.store.timeseries({ ...days, metric: 'uniqueUsers' })).map((p) => p.value)).toEqual([1, 0]);
      expect((await f.store.timeseries({ ...days, metric: 'messagesIn' })).map((p) => p.value)).toEqual([1, 0]);
      const page = await f.store.conversations({ from: f.base, to: f.base + 2 * DAY, limit: 10 });
      expect(page.items.map((c) => c.id)).toEqual([`c-${f.run}-kept`]);
    });

    it('refuses a late redelivery of an event that happened before the erasure, and records what happens after it', async () => {
      const f = current();
      const userKey = `u-${f.run}-returns`;
      const before = f.message({ userKey, conversationId: `c-${f.run}-returns`, receivedAt: f.base + 1000 });
      const status = f.status({ userKey, conversationId: `c-${f.run}-returns` });
      await f.recordAll([before, status]);
      await f.store.eraseUser(userKey, f.base + HOUR);

      expect(await f.store.record(before)).toBe('erased');
      expect(await f.store.record(status)).toBe('erased');
      expect((await f.store.summary({ from: f.base, to: f.base + DAY })).messagesIn).toBe(0);

      const after = f.message({ userKey, conversationId: `c-${f.run}-returns`, receivedAt: f.base + 2 * HOUR });
      expect(await f.store.record(after)).toBe('inserted');
      expect(await f.store.record(after)).toBe('duplicate');
      expect((await f.store.summary({ from: f.base, to: f.base + DAY })).messagesIn).toBe(1);
    });

    it('leaves other users untouched and answers zero counts when erasing again', async () => {
      const f = current();
      const { erased, kept } = await twoUsers(f);

      await f.store.eraseUser(erased, f.base + 10 * DAY);
      expect(await f.store.eraseUser(erased, f.base + 10 * DAY)).toEqual({ interactions: 0, statuses: 0 });
      expect(await f.store.eraseUser(`u-${f.run}-nobody`, f.base + 10 * DAY)).toEqual({ interactions: 0, statuses: 0 });

      expect((await f.store.summary({ from: f.base, to: f.base + DAY })).messagesIn).toBe(1);
      expect(await f.store.eraseUser(kept, f.base + 10 * DAY)).toEqual({ interactions: 1, statuses: 1 });
      expect((await f.store.summary({ from: f.base, to: f.base + DAY })).messagesIn).toBe(0);
    });
  });
}
