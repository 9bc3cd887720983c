import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomInt, randomUUID } from 'node:crypto';
import { InMemoryAnalyticsStore } from '../../src/adapters/memory/in-memory-analytics-store.js';
import { entityManager, MIGRATIONS, openDatabase, type Database } from '../../src/adapters/postgres/database.js';
import { bucketValue, LATENCY_BUCKET_SQL } from '../../src/adapters/postgres/latency-histogram.js';
import { PostgresAnalyticsStore } from '../../src/adapters/postgres/postgres-analytics-store.js';
import type { ConversationFilter, ConversationQuery, ConversationSummary } from '../../src/domain/model/analytics.js';
import type { InteractionEvent } from '../../src/domain/model/interaction.js';
import type { SendFailureReason } from '../../src/domain/model/reasons.js';
import { aFreshDatabase, DATABASE_KINDS } from '../support/databases.js';
import { analyticsStoreContract } from './analytics-store.contract.js';
import { anAnalyticsFixture, DAY, expectPercentiles, HOUR } from './analytics-store.fixture.js';

/** Costs to the nano-dollar: the stores sum floats in different orders. */
const roundedCosts = (c: ConversationSummary) => ({
  ...c,
  costUsd: Math.round(c.costUsd * 1e9),
  costBreakdown: { aiUsd: Math.round(c.costBreakdown.aiUsd * 1e9), whatsappUsd: Math.round(c.costBreakdown.whatsappUsd * 1e9) },
});

for (const kind of DATABASE_KINDS) {
  describe(`PostgresAnalyticsStore on ${kind}`, () => {
    let db: Database & { url?: string };
    let store: PostgresAnalyticsStore;

    beforeAll(async () => {
      db = await aFreshDatabase(kind);
      store = new PostgresAnalyticsStore(db.orm);
    });
    afterAll(async () => {
      await db?.close();
    });

    analyticsStoreContract(`PostgresAnalyticsStore (${kind})`, async () => ({ store }));

    const execute = <T>(query: string, params: unknown[] = []) => entityManager(db.orm).execute<T[]>(query, params);

    it('answers whole hours from the rollups and partial hours from the facts when a summary is asked', async () => {
      const f = anAnalyticsFixture(store);
      const inWholeHour = f.message({ receivedAt: f.base + 2 * HOUR + 600_000, userKey: `u-${f.run}-a`, usage: { prompt: 1, completion: 0 } });
      const inEdgeHour = f.message({ receivedAt: f.base + 3 * HOUR + 600_000, userKey: `u-${f.run}-b`, usage: { prompt: 10, completion: 0 } });
      await f.recordAll([inWholeHour, inEdgeHour]);

      // Behind the store's back: the facts go, the rollups stay.
      await execute('delete from interaction where event_id in (?, ?)', [inWholeHour.eventId, inEdgeHour.eventId]);

      const cut = await store.summary({ from: f.base + 1800_000, to: f.base + 3 * HOUR + 1800_000 });
      expect(cut).toMatchObject({ messagesIn: 1, tokens: { prompt: 1 } });
      const wholeDay = await store.summary({ from: f.base, to: f.base + DAY });
      expect(wholeDay).toMatchObject({ messagesIn: 2, tokens: { prompt: 11 }, uniqueUsers: 2, conversations: 1 });
    });

    it('counts failure reasons stored in kebab-case by an older version under today\'s spelling, from rollups and facts alike', async () => {
      const f = anAnalyticsFixture(store);
      // What versions before issue 13 wrote: the write path stores the reason as it comes.
      const legacy = 'outside-service-window' as string as SendFailureReason;
      await f.recordAll([
        f.message({ receivedAt: f.base + 2 * HOUR + 600_000, outcome: 'failed', failureReason: legacy }),
        f.message({ receivedAt: f.base + 3 * HOUR + 600_000, outcome: 'failed', failureReason: 'outside_service_window' }),
        f.message({ receivedAt: f.base + 3 * HOUR + 700_000, outcome: 'failed', failureReason: legacy }),
        f.status({ occurredAt: f.base + 3 * HOUR + 800_000, status: 'failed', failureReason: legacy }),
      ]);

      // Hour 2 is whole (its failure is read from the rollup), hour 3 is cut (read from the facts).
      const { failures } = await store.summary({ from: f.base + 1800_000, to: f.base + 3 * HOUR + 1800_000 });

      expect(failures.byReason).toEqual({ outside_service_window: 4 });
    });

    it('agrees with the in-memory store on random facts, duplicates and erasures over random ranges', async () => {
      const f = anAnalyticsFixture(store);
      const reference = new InMemoryAnalyticsStore();
      const users = Array.from({ length: 12 }, (_, i) => `u-${f.run}-${i}`);
      const events: InteractionEvent[] = Array.from({ length: 150 }, () => {
        const user = randomInt(0, users.length);
        const receivedAt = f.base + randomInt(0, 3 * DAY);
        const outcome = (['sent', 'sent', 'sent', 'failed', 'send-unknown', 'skipped', 'unsent'] as const)[randomInt(0, 7)];
        return f.message({
          receivedAt,
          occurredAt: receivedAt,
          userKey: users[user]!,
          conversationId: `c-${f.run}-${user}`,
          channel: user % 3 === 0 ? 'api' : 'whatsapp',
          outcome,
          replyKind: randomInt(0, 10) === 0 ? 'fallback' : 'ai',
          ...(randomInt(0, 2) === 0 ? { failureReason: 'completion_failed' } : {}),
          usage: { prompt: randomInt(0, 500), completion: randomInt(0, 100) },
          costUsd: randomInt(0, 1000) / 1e5,
          latencyMs: randomInt(0, 4) === 0 ? undefined : randomInt(20, 9000),
        });
      });
      // WhatsApp charges of random conversations, each reported by `delivered` and `read`, some unpriced.
      const charges = Array.from({ length: 30 }, () => {
        const user = 1 + 3 * randomInt(0, 4);
        const who = { userKey: users[user]!, conversationId: `c-${f.run}-${user}`, occurredAt: f.base + randomInt(0, 3 * DAY) };
        return f.charged(randomInt(0, 5) === 0 ? null : randomInt(1, 1000) / 1e4, who);
      }).flat();
      // Agent replies of random conversations, some unknown outcomes settled afterwards.
      const replies = Array.from({ length: 30 }, () => {
        const user = randomInt(0, users.length);
        const who = { userKey: users[user]!, conversationId: `c-${f.run}-${user}`, channel: user % 3 === 0 ? ('api' as const) : ('whatsapp' as const) };
        return f.agentReply((['sent', 'failed', 'send-unknown'] as const)[randomInt(0, 3)]!, { ...who, occurredAt: f.base + randomInt(0, 3 * DAY) });
      });
      const settled = replies.filter((r) => r.outcome === 'send-unknown').slice(0, 5).map((r) => ({ ...r, outcome: 'sent' as const }));
      // Tool calls of random conversations, some never made (no latency), some with fractions of a millisecond.
      const calls = Array.from({ length: 40 }, () => {
        const user = randomInt(0, users.length);
        const who = { userKey: users[user]!, conversationId: `c-${f.run}-${user}`, channel: user % 3 === 0 ? ('api' as const) : ('whatsapp' as const) };
        const outcome = (['ok', 'failed', 'unknown', 'invalid'] as const)[randomInt(0, 4)]!;
        return f.toolCall(outcome, { ...who, occurredAt: f.base + randomInt(0, 3 * DAY), ...(outcome === 'invalid' ? {} : { latencyMs: randomInt(1, 40_000) / 4 }) });
      });
      for (const event of [...events, ...charges, ...replies, ...calls, ...events.slice(0, 20), ...charges.slice(0, 10), ...settled, ...replies.slice(0, 5), ...calls.slice(0, 5)]) {
        expect(await store.record(event)).toBe(await reference.record(event));
      }
      for (const user of users.slice(0, 2)) expect(await store.eraseUser(user, f.base + 10 * DAY)).toEqual(await reference.eraseUser(user, f.base + 10 * DAY));

      for (let i = 0; i < 12; i += 1) {
        const from = f.base - HOUR + randomInt(0, 2 * DAY);
        const range = { from, to: from + randomInt(1, 2 * DAY), ...(i % 4 === 0 ? { channel: 'api' as const } : {}) };
        const [actual, exact] = await Promise.all([store.summary(range, { conversationCosts: true }), reference.summary(range, { conversationCosts: true })]);
        const { replyLatencyMs, costUsd, costBreakdown, costPerConversationUsd, ...counts } = exact;
        expect({ ...actual, replyLatencyMs, costUsd, costBreakdown, costPerConversationUsd }).toEqual(exact);
        for (const p of ['p50', 'p95'] as const) {
          if (costPerConversationUsd?.[p] === null) expect(actual.costPerConversationUsd?.[p]).toBeNull();
          else expect(actual.costPerConversationUsd?.[p]).toBeCloseTo(costPerConversationUsd![p]!, 9);
        }
        expect(actual.costUsd).toBeCloseTo(costUsd, 9);
        expect(actual.costBreakdown.aiUsd).toBeCloseTo(costBreakdown.aiUsd, 9);
        expect(actual.costBreakdown.whatsappUsd).toBeCloseTo(costBreakdown.whatsappUsd, 9);
        expectPercentiles(actual.replyLatencyMs, replyLatencyMs);
        expect(counts.messagesIn).toBeGreaterThanOrEqual(0);
        const pages = await Promise.all([store, reference].map((s) => s.conversations({ ...range, limit: 100 })));
        const [mine, theirs] = pages.map((page) => page.items.map(roundedCosts));
        expect(mine).toEqual(theirs);
      }
    });

    it('pages through the same conversations in the same order as the in-memory store, whatever the page size and the walk\'s step', async () => {
      const f = anAnalyticsFixture(store);
      const reference = new InMemoryAnalyticsStore();
      // Few conversations with many messages each across three days, some at the very same millisecond.
      const shared = [f.base + 5 * HOUR, f.base + DAY + 7 * HOUR, f.base + 2 * DAY];
      const events: InteractionEvent[] = Array.from({ length: 120 }, (_, i) => {
        const user = randomInt(0, 9);
        const receivedAt = i % 6 === 0 ? shared[randomInt(0, shared.length)]! : f.base + randomInt(0, 3 * DAY);
        return f.message({
          receivedAt,
          occurredAt: receivedAt,
          userKey: `u-${f.run}-${user}`,
          conversationId: `c-${f.run}-${user}`,
          channel: user % 3 === 0 ? 'api' : 'whatsapp',
          outcome: randomInt(0, 4) === 0 ? 'failed' : 'sent',
          costUsd: randomInt(0, 1000) / 1e5,
          ...(user % 2 === 0 ? { participant: `+49 170 •••• 45${user}7`, profileName: `Name ${user}` } : {}),
        });
      });
      // Switches between the bot and a person, and delivery statuses, at random times.
      for (let i = 0; i < 30; i += 1) {
        const user = randomInt(0, 9);
        const who = { userKey: `u-${f.run}-${user}`, conversationId: `c-${f.run}-${user}`, channel: user % 3 === 0 ? ('api' as const) : ('whatsapp' as const) };
        const occurredAt = f.base + randomInt(0, 3 * DAY);
        events.push(i % 2 === 0 ? f.mode(randomInt(0, 2) === 0 ? 'bot' : 'human', { ...who, occurredAt }) : f.status({ ...who, occurredAt, status: (['sent', 'delivered', 'read', 'failed'] as const)[randomInt(0, 4)]! }));
      }
      for (const event of events) await Promise.all([store.record(event), reference.record(event)]);
      await Promise.all([store.eraseUser(`u-${f.run}-4`, f.base + 10 * DAY), reference.eraseUser(`u-${f.run}-4`, f.base + 10 * DAY)]);

      // Steps of one row, and every search walked (none is listed from its matches' figures).
      const stepping = new PostgresAnalyticsStore(db.orm, { listStepRows: 1, searchCandidates: 0 });
      const walkAll = async (s: { conversations: PostgresAnalyticsStore['conversations'] }, query: Omit<ConversationQuery, 'limit' | 'cursor'>, limit: number) => {
        const ids: unknown[] = [];
        let cursor: string | undefined;
        do {
          const page = await s.conversations({ ...query, limit, ...(cursor ? { cursor } : {}) });
          ids.push(...page.items.map(roundedCosts));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        return ids;
      };
      const filters: ConversationFilter[] = [{}, { mode: 'human' }, { mode: 'bot' }, { outcome: 'failed' }, { outcome: 'read' }, { search: '4567' }, { search: 'name 2' }];
      for (let i = 0; i < 14; i += 1) {
        const from = f.base - HOUR + randomInt(0, 2 * DAY);
        const query = { from, to: from + randomInt(HOUR, 3 * DAY), ...(i % 4 === 0 ? { channel: 'api' as const } : {}), ...filters[i % filters.length] };
        const limit = 1 + (i % 3);
        const expected = await walkAll(reference, query, limit);
        expect(await walkAll(store, query, limit)).toEqual(expected);
        expect(await walkAll(stepping, query, limit)).toEqual(expected);
      }
    });

    it('counts distinct users exactly when a range crosses a 64-day activity period and its sign bit', async () => {
      const f = anAnalyticsFixture(store);
      const reference = new InMemoryAnalyticsStore();
      // The store keeps activity in periods of 64 UTC days; the last day of one is the sign bit.
      const boundary = Math.ceil(f.base / (64 * DAY)) * 64 * DAY;
      const offsets = [-3 * DAY + HOUR, -DAY + 5 * HOUR, -DAY + 23 * HOUR, 3 * HOUR, DAY + 2 * HOUR, 2 * DAY + 7 * HOUR];
      const events = offsets.flatMap((offset, i) =>
        [0, 1, 2].slice(0, 1 + (i % 3)).map((n) => f.message({ receivedAt: boundary + offset, userKey: `u-${f.run}-${(i + n) % 4}`, conversationId: `c-${f.run}-${(i + n) % 4}` })),
      );
      for (const event of events) expect(await store.record(event)).toBe(await reference.record(event));

      for (const range of [
        { from: boundary - 3 * DAY, to: boundary + 3 * DAY },
        { from: boundary - DAY, to: boundary },
        { from: boundary - DAY, to: boundary + DAY },
        { from: boundary - 2 * DAY - 1, to: boundary + 2 * DAY + 8 * HOUR },
        { from: boundary, to: boundary + 3 * DAY },
      ]) {
        const [actual, exact] = await Promise.all([store.summary(range), reference.summary(range)]);
        expect({ users: actual.uniqueUsers, conversations: actual.conversations }).toEqual({ users: exact.uniqueUsers, conversations: exact.conversations });
        expect(actual.messagesIn).toBe(exact.messagesIn);
      }
      await store.eraseUser(`u-${f.run}-1`, boundary + 10 * DAY);
      await reference.eraseUser(`u-${f.run}-1`, boundary + 10 * DAY);
      const range = { from: boundary - 3 * DAY, to: boundary + 3 * DAY };
      expect((await store.summary(range)).uniqueUsers).toBe((await reference.summary(range)).uniqueUsers);
    });

    it('exports in pages of its own size the same conversations as one page holds', async () => {
      const paged = new PostgresAnalyticsStore(db.orm, { exportPageSize: 2 });
      const f = anAnalyticsFixture(paged);
      await f.recordAll(Array.from({ length: 7 }, (_, i) => f.message({ conversationId: `c-${f.run}-${i}`, receivedAt: f.base + 1000 * (i % 3) })));

      const exported = [];
      for await (const conversation of paged.exportConversations({ from: f.base, to: f.base + DAY })) exported.push(conversation);

      const all = await paged.conversations({ from: f.base, to: f.base + DAY, limit: 100 });
      expect(exported).toHaveLength(7);
      expect(exported).toEqual(all.items);
    });

    it('keeps every whole-millisecond latency within the percentile tolerance of its bucket value', async () => {
      const rows = await execute<{ latency_ms: number; bucket: number }>(
        `select latency_ms, ${LATENCY_BUCKET_SQL} as bucket from generate_series(0, 200000) as latency_ms`,
      );
      const outside = rows.filter(({ latency_ms, bucket }) => Math.abs(bucketValue(bucket) - latency_ms) > Math.max(1, latency_ms * 0.01));
      expect(rows).toHaveLength(200_001);
      expect(outside).toEqual([]);
    });

    it('applies no migration when the same database is opened again', async () => {
      expect(await db.orm.migrator.getPending()).toEqual([]);
      expect(await db.orm.migrator.up()).toEqual([]);
      if (!db.url) return;
      const applied: string[] = [];
      const again = await openDatabase({ url: db.url }, { log: (message) => applied.push(message) });
      try {
        expect(applied.filter((m) => m.startsWith('migration applied'))).toEqual([]);
        expect((await again.orm.migrator.getExecuted()).map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
      } finally {
        await again.close();
      }
    });

    it('returns JS numbers, not strings, for counts and sums', async () => {
      const f = anAnalyticsFixture(store);
      await f.recordAll([f.message({ usage: { prompt: 2 ** 31 - 1, completion: 1 }, costUsd: 0.25, conversationId: `c-${randomUUID()}` }), f.toolCall('ok')]);
      const summary = await store.summary({ from: f.base, to: f.base + DAY });
      for (const value of [summary.messagesIn, summary.tokens.prompt, summary.costUsd, summary.uniqueUsers, summary.replyLatencyMs.p50, summary.toolCalls.total, summary.toolCalls.latencyMs.p95]) {
        expect(typeof value).toBe('number');
      }
      expect(summary.tokens.prompt).toBe(2 ** 31 - 1);
    });
  });
}
