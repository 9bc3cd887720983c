import { describe, expect, it } from 'vitest';
import { InMemoryAnalyticsStore } from '../../../src/adapters/memory/in-memory-analytics-store.js';
import { InMemoryDeadLetterStore } from '../../../src/adapters/memory/in-memory-dead-letter-store.js';
import { ApplyRetention } from '../../../src/domain/use-cases/apply-retention.js';
import { anAnalyticsFixture, DAY } from '../../contract/analytics-store.fixture.js';
import { anInboundDeadLetter } from '../../support/dead-letters.js';
import { FixedClock } from '../../support/fixed-clock.js';

// 2026-12-02 15:30 UTC: the analytics cutoff (400 days back) falls inside a day.
const NOW = Date.UTC(2026, 11, 2, 15, 30);

function setUp(batchSize = 2) {
  const deadLetters = new InMemoryDeadLetterStore();
  const analytics = new InMemoryAnalyticsStore();
  const useCase = new ApplyRetention(deadLetters, analytics, new FixedClock(NOW), { deadLetterDays: 30, analyticsDays: 400, batchSize });
  return { deadLetters, analytics, useCase, f: anAnalyticsFixture(analytics) };
}

describe('ApplyRetention', () => {
  it('deletes every dead letter older than its retention, batch after batch, and keeps the younger ones', async () => {
    const { deadLetters, useCase } = setUp(2);
    const old = await Promise.all([1, 2, 3, 4, 5].map((n) => deadLetters.add(anInboundDeadLetter({ deadLetteredAt: NOW - 30 * DAY - n }))));
    const young = (await deadLetters.add(anInboundDeadLetter({ deadLetteredAt: NOW - 30 * DAY + 1 }))).letter;

    expect(await useCase.execute()).toMatchObject({ deadLetters: 5 });
    for (const { letter } of old) expect(await deadLetters.get(letter.id)).toBeNull();
    expect(await deadLetters.get(young.id)).toEqual(young);
  });

  it('deletes analytics facts by whole UTC days: the day the retention ends in stays until it is wholly past', async () => {
    const { analytics, useCase, f } = setUp(2);
    const cutoffDay = Math.floor((NOW - 400 * DAY) / DAY) * DAY;
    const at = (receivedAt: number) => f.message({ receivedAt, occurredAt: receivedAt, conversationId: `c-${f.run}-${receivedAt}` });
    await f.recordAll([at(cutoffDay - 2 * DAY), at(cutoffDay - 1), at(cutoffDay), at(NOW - 400 * DAY - 1), at(NOW - 399 * DAY)]);

    expect(await useCase.execute()).toMatchObject({ analyticsRows: 2 });
    expect((await analytics.summary({ from: cutoffDay - 3 * DAY, to: cutoffDay })).messagesIn).toBe(0);
    expect((await analytics.summary({ from: cutoffDay, to: NOW })).messagesIn).toBe(3);
  });

  it('stops between batches when told the process is stopping', async () => {
    const { deadLetters, useCase } = setUp(1);
    await Promise.all([1, 2, 3].map((n) => deadLetters.add(anInboundDeadLetter({ deadLetteredAt: NOW - 31 * DAY - n }))));
    let batches = 0;

    const result = await useCase.execute(() => batches++ < 1);

    expect(result.deadLetters).toBe(1);
    expect((await deadLetters.list({ limit: 10 })).items).toHaveLength(2);
  });
});
