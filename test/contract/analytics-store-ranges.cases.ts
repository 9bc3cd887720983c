import { describe, expect, it } from 'vitest';
import type { AnalyticsQuery, ConversationSummary } from '../../src/domain/model/analytics.js';
import type { MessageInteraction } from '../../src/domain/model/interaction.js';
import type { AnalyticsStore } from '../../src/domain/ports/analytics-store.js';
import { DAY, expectPercentiles, HOUR, type AnalyticsFixture } from './analytics-store.fixture.js';

async function pageThrough(store: AnalyticsStore, query: AnalyticsQuery, limit: number): Promise<ConversationSummary[]> {
  const walked: ConversationSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.conversations({ ...query, limit, ...(cursor ? { cursor } : {}) });
    walked.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return walked;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** Ranges that start and end mid-hour and span whole hours and whole days: every way of cutting a range. */
export function rangeCases(current: () => AnalyticsFixture): void {
  describe('ranges across days and hours', () => {
    // From half past midnight on day 0 to 02:45 on day 2.
    const range = (f: AnalyticsFixture) => ({ from: f.base + 0.5 * HOUR, to: f.base + 2 * DAY + 2.75 * HOUR });

    async function recordSpread(f: AnalyticsFixture): Promise<void> {
      const at = (offset: number, n: number, { userKey, ...overrides }: Partial<MessageInteraction>) =>
        f.message({
          receivedAt: f.base + offset,
          occurredAt: f.base + offset,
          userKey: `${f.run}-${userKey}`,
          conversationId: `c-${f.run}-${userKey}`,
          usage: { prompt: n, completion: 1 },
          ...overrides,
        });
      await f.recordAll([
        at(0.25 * HOUR, 1000, { userKey: 'u9', latencyMs: 1 }), // before the range
        at(0.75 * HOUR, 1, { userKey: 'u1', latencyMs: 120, costUsd: 0.25 }),
        at(5 * HOUR, 2, { userKey: 'u2', latencyMs: 250 }),
        at(23.9 * HOUR, 4, { userKey: 'u1', latencyMs: 900, outcome: 'failed', failureReason: 'reply_send_failed', costUsd: 0.5 }),
        at(DAY + 3 * HOUR, 8, { userKey: 'u3', latencyMs: 4000 }),
        at(DAY + 4 * HOUR, 256, { userKey: 'u6', latencyMs: 500, channel: 'api' }),
        at(DAY + 20 * HOUR, 16, { userKey: 'u1', latencyMs: 130, costUsd: 0.25 }),
        at(2 * DAY + HOUR, 32, { userKey: 'u4', latencyMs: 7000 }),
        at(2 * DAY + 2.5 * HOUR, 64, { userKey: 'u2', latencyMs: 60 }),
        at(2 * DAY + 2.75 * HOUR, 2000, { userKey: 'u5', latencyMs: 1 }), // at `to`: excluded
      ]);
    }

    it('summarises exactly the messages inside when the range cuts hours and spans whole days', async () => {
      const f = current();
      await recordSpread(f);

      const all = await f.store.summary(range(f));
      expect(all).toMatchObject({ messagesIn: 8, messagesOut: 7, uniqueUsers: 5, conversations: 5, tokens: { prompt: 383, completion: 8 } });
      expect(all.failures).toEqual({ total: 1, byReason: { reply_send_failed: 1 } });
      expectPercentiles(all.replyLatencyMs, { p50: 250, p95: 7000, p99: 7000 });

      const whatsapp = await f.store.summary({ ...range(f), channel: 'whatsapp' });
      expect(whatsapp).toMatchObject({ messagesIn: 7, uniqueUsers: 4, conversations: 4, tokens: { prompt: 127, completion: 7 } });
      expect(whatsapp.costUsd).toBeCloseTo(1, 10);
      expectPercentiles(whatsapp.replyLatencyMs, { p50: 250, p95: 7000, p99: 7000 });
    });

    it('lists conversations with their first and last activity inside the range when it spans days', async () => {
      const f = current();
      await recordSpread(f);

      const page = await f.store.conversations({ ...range(f), channel: 'whatsapp', limit: 10 });

      expect(page.items.map((c) => c.id)).toEqual(['u2', 'u4', 'u1', 'u3'].map((u) => `c-${f.run}-${u}`));
      expect(page.items[0]).toMatchObject({ firstMessageAt: f.base + 5 * HOUR, lastMessageAt: f.base + 2 * DAY + 2.5 * HOUR, messagesIn: 2 });
      expect(page.items[2]).toEqual({
        id: `c-${f.run}-u1`,
        channel: 'whatsapp',
        accountId: `acct-${f.run}`,
        participant: null,
        profileName: null,
        lastDelivery: null,
        mode: 'bot',
        firstMessageAt: f.base + 0.75 * HOUR,
        lastMessageAt: f.base + DAY + 20 * HOUR,
        messagesIn: 3,
        messagesOut: 2,
        // From the edge days' facts and the whole day's rollup alike.
        tokens: { prompt: 21, completion: 3 },
        agentReplies: 0,
        toolCalls: 0,
        costUsd: 1,
        costBreakdown: { aiUsd: 1, whatsappUsd: 0 },
      });
    });

    it('exports the same conversations in the same order as paging through them', async () => {
      const f = current();
      // Ties on the last activity exercise the id tie-break across page boundaries.
      const lastAt = [5000, 4000, 4000, 3000, 2000, 2000, 2000, 1000];
      await f.recordAll(lastAt.map((at, i) => f.message({ conversationId: `c-${f.run}-${i}`, receivedAt: f.base + at, costUsd: 0.5 })));
      await recordSpread(f);

      for (const query of [{ from: f.base, to: f.base + 3 * DAY }, range(f), { ...range(f), channel: 'whatsapp' as const }]) {
        const paged = await pageThrough(f.store, query, 3);
        expect(paged.length).toBeGreaterThan(0);
        expect(await collect(f.store.exportConversations(query))).toEqual(paged);
      }
      expect(await collect(f.store.exportConversations({ from: f.base - DAY, to: f.base }))).toEqual([]);
    });

    it('counts users and conversations active in the partial days at the edges by their messages inside, not by their day', async () => {
      const f = current();
      // From day 0 at 10:00 to day 2 at 12:00: day 1 is whole, days 0 and 2 are cut.
      const from = f.base + 10 * HOUR;
      const to = f.base + 2 * DAY + 12 * HOUR;
      const at = (offset: number, user: string, channel: 'whatsapp' | 'api' = 'whatsapp') =>
        f.message({ receivedAt: f.base + offset, occurredAt: f.base + offset, userKey: `${f.run}-${user}`, conversationId: `c-${f.run}-${user}`, channel });
      await f.recordAll([
        at(2 * HOUR, 'before-and-inside'),
        at(20 * HOUR, 'before-and-inside'),
        at(5 * HOUR, 'only-before'),
        at(10 * HOUR, 'at-from'),
        at(2 * DAY + HOUR, 'inside-and-after', 'api'),
        at(2 * DAY + 23 * HOUR, 'inside-and-after', 'api'),
        at(2 * DAY + 15 * HOUR, 'only-after'),
        at(2 * DAY + 12 * HOUR, 'at-to'),
        at(DAY + 12 * HOUR, 'whole-day'),
      ]);

      const all = await f.store.summary({ from, to });
      expect({ users: all.uniqueUsers, conversations: all.conversations, messagesIn: all.messagesIn }).toEqual({ users: 4, conversations: 4, messagesIn: 4 });
      const api = await f.store.summary({ from, to, channel: 'api' });
      expect({ users: api.uniqueUsers, conversations: api.conversations }).toEqual({ users: 1, conversations: 1 });
    });
  });
}
