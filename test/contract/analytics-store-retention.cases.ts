import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MessageInteraction } from '../../src/domain/model/interaction.js';
import { DAY, EMPTY_SUMMARY, HOUR, type AnalyticsFixture } from './analytics-store.fixture.js';

export function retentionCases(current: () => AnalyticsFixture): void {
  describe('deleteBefore (retention)', () => {
    // Days long past, which no other case uses: a cutoff there touches only this case's facts.
    const aPastDay = () => Date.UTC(1980, 0, 1) + randomInt(0, 7_000) * DAY;

    async function oldAndNew(f: AnalyticsFixture, base: number) {
      const old = { userKey: `u-${f.run}-old`, conversationId: `c-${f.run}-old` };
      const kept = { userKey: `u-${f.run}-kept`, conversationId: `c-${f.run}-kept` };
      const at = (offset: number, who: typeof old, overrides: Partial<MessageInteraction> = {}) =>
        f.message({ receivedAt: base + offset, occurredAt: base + offset, ...who, ...overrides });
      await f.recordAll([
        at(HOUR, old, { usage: { prompt: 10, completion: 1 }, costUsd: 0.5, latencyMs: 300 }),
        at(2 * HOUR, old, { outcome: 'failed', failureReason: 'reply_send_failed', latencyMs: 900 }),
        at(DAY - 1, old),
        f.status({ ...old, occurredAt: base + 3 * HOUR, status: 'failed', failureReason: 'outside_service_window' }),
        at(DAY, kept, { usage: { prompt: 7, completion: 3 }, costUsd: 0.25, latencyMs: 200 }),
        f.status({ ...kept, occurredAt: base + DAY + HOUR, status: 'failed', failureReason: 'outside_service_window' }),
      ]);
      return { old, kept };
    }

    it('deletes every fact from before the cutoff, in bounded batches, and keeps every fact from it on', async () => {
      const f = current();
      const base = aPastDay();
      const { kept } = await oldAndNew(f, base);
      const cutoff = base + DAY;
      const oldDay = { from: base, to: cutoff };
      const twoDays = { from: base, to: base + 2 * DAY };

      expect(await f.store.deleteBefore(cutoff, 1)).toBeGreaterThan(0);
      const afterOneBatch = await f.store.summary(oldDay);
      // A batch of one leaves most of the old day for the next batches.
      expect(afterOneBatch.messagesIn + afterOneBatch.failures.total).toBeGreaterThan(0);
      let batches = 1;
      while ((await f.store.deleteBefore(cutoff, 1)) > 0) expect(++batches).toBeLessThan(100);

      // The old day reads nothing, whether from facts, hours or days (a whole day) or a cut range.
      expect(await f.store.summary(oldDay)).toEqual(EMPTY_SUMMARY);
      expect(await f.store.summary({ from: base + 1800_000, to: cutoff - 1800_000 })).toEqual(EMPTY_SUMMARY);
      const both = await f.store.summary(twoDays);
      expect(both).toMatchObject({
        messagesIn: 1,
        messagesOut: 1,
        uniqueUsers: 1,
        conversations: 1,
        tokens: { prompt: 7, completion: 3 },
        failures: { total: 1, byReason: { 'outside_service_window': 1 } },
      });
      expect(both.costUsd).toBeCloseTo(0.25, 9);
      expect((await f.store.conversations({ ...twoDays, limit: 10 })).items.map((c) => c.id)).toEqual([kept.conversationId]);
      const daily = await f.store.timeseries({ ...twoDays, metric: 'messagesIn', interval: 'day' });
      expect(daily.map((p) => p.value)).toEqual([0, 1]);
      const users = await f.store.timeseries({ ...twoDays, metric: 'uniqueUsers', interval: 'day' });
      expect(users.map((p) => p.value)).toEqual([0, 1]);
      expect(await f.store.deleteBefore(cutoff, 100)).toBe(0);
    });

    it('deletes nothing when every fact is from the cutoff on', async () => {
      const f = current();
      const base = aPastDay();
      await oldAndNew(f, base);

      // Rows of other cases may lie before `base`: delete them first, then nothing is left to delete.
      while ((await f.store.deleteBefore(base, 1_000)) > 0);
      expect(await f.store.deleteBefore(base, 1_000)).toBe(0);
      expect((await f.store.summary({ from: base, to: base + 2 * DAY })).messagesIn).toBe(4);
    });
  });
}
