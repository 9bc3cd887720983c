import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConversationSummary } from '../../src/domain/model/analytics.js';
import type { ToolCallOutcome } from '../../src/domain/model/tool-call.js';
import { DAY, HOUR, type AnalyticsFixture } from './analytics-store.fixture.js';

const NONE = { total: 0, ok: 0, failed: 0, unknown: 0, invalid: 0, latencyMs: { p50: 0, p95: 0 } };

/** The HTTP tools the model called: counted by outcome with their latency in the summary, per conversation in the list. */
export function toolCallCases(current: () => AnalyticsFixture): void {
  describe('tool calls', () => {
    const day = (f: AnalyticsFixture) => ({ from: f.base, to: f.base + DAY });

    it('records a tool call once by its event id, however often and however concurrently it comes, and never revises it', async () => {
      const f = current();
      const ok = f.toolCall('ok', { latencyMs: 200 });
      const unknown = f.toolCall('unknown', { latencyMs: 5000 });

      expect(await f.store.record(ok)).toBe('inserted');
      expect(await f.store.record(ok)).toBe('duplicate');
      // A call's outcome is final when its fact is published: a later fact of the same id changes nothing.
      expect(await f.store.record({ ...ok, outcome: 'failed', failureReason: 'tool_http_500', latencyMs: 9 })).toBe('duplicate');
      expect(await f.store.record({ ...unknown, outcome: 'ok' })).toBe('inserted');
      expect(await f.store.record(unknown)).toBe('duplicate');
      const racing = f.toolCall('failed');
      const results = await Promise.all(Array.from({ length: 8 }, () => f.store.record(racing)));

      expect(results.filter((r) => r === 'inserted')).toHaveLength(1);
      expect(results.filter((r) => r === 'duplicate')).toHaveLength(7);
      expect((await f.store.summary(day(f))).toolCalls).toEqual({ total: 3, ok: 2, failed: 1, unknown: 0, invalid: 0, latencyMs: { p50: 200, p95: 5000 } });
    });

    it('counts the calls by outcome and gives nearest-rank latency percentiles over the calls that have a latency, zeros when none has', async () => {
      const f = current();
      // 20 calls made, 10 ms to 200 ms, in random order; three never made (no latency).
      const made = Array.from({ length: 20 }, (_, i) => (i + 1) * 10).sort(() => randomInt(0, 3) - 1);
      const outcomes: ToolCallOutcome[] = ['ok', 'ok', 'failed', 'unknown'];
      await f.recordAll([
        ...made.map((latencyMs, i) => f.toolCall(outcomes[i % 4]!, { latencyMs, occurredAt: f.base + HOUR + i })),
        ...Array.from({ length: 3 }, () => f.toolCall('invalid', { occurredAt: f.base + 2 * HOUR })),
      ]);

      const { toolCalls } = await f.store.summary(day(f));
      expect(toolCalls).toEqual({ total: 23, ok: 10, failed: 5, unknown: 5, invalid: 3, latencyMs: { p50: 100, p95: 190 } });
      // Only calls never made in the range: counted, with no latency to report.
      expect((await f.store.summary({ from: f.base + 2 * HOUR, to: f.base + 3 * HOUR })).toolCalls).toEqual({ ...NONE, total: 3, invalid: 3 });
      expect((await f.store.summary({ from: f.base + 3 * HOUR, to: f.base + DAY })).toolCalls).toEqual(NONE);
      // Whole milliseconds, in every store.
      await f.recordAll([f.toolCall('ok', { latencyMs: 12.6, occurredAt: f.base + 5 * HOUR })]);
      expect((await f.store.summary({ from: f.base + 5 * HOUR, to: f.base + 6 * HOUR })).toolCalls.latencyMs).toEqual({ p50: 13, p95: 13 });
    });

    it('counts in the summary the calls that happened from `from` inclusive to `to` exclusive, of the channel asked for, apart from messages and failures', async () => {
      const f = current();
      const at = (offset: number, outcome: ToolCallOutcome, latencyMs: number, channel: 'whatsapp' | 'api' = 'whatsapp') =>
        f.toolCall(outcome, { occurredAt: f.base + offset, channel, ...(outcome === 'invalid' ? {} : { latencyMs }) });
      await f.recordAll([
        f.message({ receivedAt: f.base + 1000 }),
        at(HOUR - 1, 'ok', 1),
        at(HOUR, 'ok', 100),
        at(HOUR + 1, 'failed', 300),
        at(2 * HOUR - 1, 'unknown', 200),
        at(2 * HOUR, 'ok', 7),
        at(HOUR + 5, 'invalid', 0, 'api'),
        at(HOUR + 6, 'ok', 900, 'api'),
        at(DAY, 'ok', 8),
      ]);
      const hour = { from: f.base + HOUR, to: f.base + 2 * HOUR };

      expect((await f.store.summary(hour)).toolCalls).toEqual({ total: 5, ok: 2, failed: 1, unknown: 1, invalid: 1, latencyMs: { p50: 200, p95: 900 } });
      expect((await f.store.summary({ ...hour, channel: 'whatsapp' })).toolCalls).toEqual({ total: 3, ok: 1, failed: 1, unknown: 1, invalid: 0, latencyMs: { p50: 200, p95: 300 } });
      expect((await f.store.summary({ ...day(f), channel: 'api' })).toolCalls).toEqual({ total: 2, ok: 1, failed: 0, unknown: 0, invalid: 1, latencyMs: { p50: 900, p95: 900 } });
      expect((await f.store.summary(day(f))).toolCalls).toMatchObject({ total: 7, ok: 4, failed: 1, unknown: 1, invalid: 1 });
      // Tool calls are neither messages nor the bot's replies nor its failures.
      expect(await f.store.summary(day(f))).toMatchObject({ messagesIn: 1, messagesOut: 1, conversations: 1, failures: { total: 0 } });
    });

    it("lists each conversation's tool calls in the range, of the channel asked for, in the list, the export and one conversation alike", async () => {
      const f = current();
      const who = (n: string, channel: 'whatsapp' | 'api' = 'whatsapp') => ({ conversationId: `c-${f.run}-${n}`, userKey: `u-${f.run}-${n}`, channel });
      await f.recordAll([
        f.message({ ...who('tools'), receivedAt: f.base + 1000 }),
        f.toolCall('ok', { ...who('tools'), occurredAt: f.base + HOUR }),
        f.toolCall('failed', { ...who('tools'), occurredAt: f.base + 2 * HOUR }),
        f.toolCall('invalid', { ...who('tools'), occurredAt: f.base + 3 * HOUR }),
        // after the range's end
        f.toolCall('ok', { ...who('tools'), occurredAt: f.base + DAY + HOUR }),
        f.message({ ...who('plain'), receivedAt: f.base + 3000 }),
        f.message({ ...who('api', 'api'), receivedAt: f.base + 4000 }),
        f.toolCall('unknown', { ...who('api', 'api'), occurredAt: f.base + HOUR }),
        // a conversation without a message in the range is not listed for its tool calls
        f.toolCall('ok', { ...who('quiet'), occurredAt: f.base + HOUR }),
      ]);
      const calls = (items: ConversationSummary[]) => Object.fromEntries(items.map((c) => [c.id.split('-').at(-1), c.toolCalls]));

      const page = await f.store.conversations({ ...day(f), limit: 10 });
      expect(calls(page.items)).toEqual({ tools: 3, plain: 0, api: 1 });
      expect(calls((await f.store.conversations({ ...day(f), channel: 'whatsapp', limit: 10 })).items)).toEqual({ tools: 3, plain: 0 });
      expect(calls((await f.store.conversations({ from: f.base + 2 * HOUR, to: f.base + 2 * DAY, limit: 10 })).items)).toEqual({});
      expect(calls((await f.store.conversations({ from: f.base, to: f.base + 2 * DAY, limit: 10 })).items)).toEqual({ tools: 4, plain: 0, api: 1 });
      const exported: ConversationSummary[] = [];
      for await (const c of f.store.exportConversations(day(f))) exported.push(c);
      expect(calls(exported)).toEqual({ tools: 3, plain: 0, api: 1 });
      const tools = await f.store.conversation(who('tools').conversationId, day(f));
      expect(tools).toEqual(page.items.find((c) => c.id === who('tools').conversationId));
      expect(tools).toMatchObject({ toolCalls: 3, agentReplies: 0, messagesIn: 1, messagesOut: 1 });
    });

    it("forgets an erased user's tool calls, refuses those that happened before the erasure and keeps everyone else's", async () => {
      const f = current();
      const erased = { conversationId: `c-${f.run}-erased`, userKey: `u-${f.run}-erased` };
      const kept = { conversationId: `c-${f.run}-kept`, userKey: `u-${f.run}-kept` };
      await f.recordAll([
        f.message({ ...erased, receivedAt: f.base + 1000 }),
        f.toolCall('ok', { ...erased, occurredAt: f.base + HOUR }),
        f.toolCall('failed', { ...erased, occurredAt: f.base + HOUR + 1 }),
        f.message({ ...kept, receivedAt: f.base + 2000 }),
        f.toolCall('ok', { ...kept, occurredAt: f.base + HOUR, latencyMs: 40 }),
      ]);

      await f.store.eraseUser(erased.userKey, f.base + 3 * HOUR);

      expect((await f.store.summary(day(f))).toolCalls).toEqual({ ...NONE, total: 1, ok: 1, latencyMs: { p50: 40, p95: 40 } });
      // A late redelivery of a call made before the erasure stays out; one made after it is the user's new activity.
      expect(await f.store.record(f.toolCall('ok', { ...erased, occurredAt: f.base + 2 * HOUR }))).toBe('erased');
      expect(await f.store.record(f.toolCall('ok', { ...erased, occurredAt: f.base + 4 * HOUR }))).toBe('inserted');
      expect((await f.store.summary(day(f))).toolCalls).toMatchObject({ total: 2, ok: 2 });
      const page = await f.store.conversations({ ...day(f), limit: 10 });
      expect(page.items.map((c) => [c.id, c.toolCalls])).toEqual([[kept.conversationId, 1]]);
    });

    it('retention deletes the tool calls that happened before the cutoff, in bounded batches, and keeps those from it on', async () => {
      const f = current();
      // Days before every other case's (agent replies use 1800 on): this cutoff deletes only what this case wrote.
      const base = Date.UTC(1700, 0, 1) + randomInt(0, 7_000) * DAY;
      const at = (offset: number, outcome: ToolCallOutcome) => f.toolCall(outcome, { occurredAt: base + offset });
      await f.recordAll([at(HOUR, 'ok'), at(2 * HOUR, 'failed'), at(DAY - 1, 'invalid'), at(DAY, 'ok'), at(DAY + HOUR, 'unknown')]);
      const cutoff = base + DAY;

      let batches = 0;
      while ((await f.store.deleteBefore(cutoff, 1)) > 0) expect(++batches).toBeLessThan(50);

      expect(batches).toBe(3);
      expect((await f.store.summary({ from: base, to: cutoff })).toolCalls.total).toBe(0);
      expect((await f.store.summary({ from: base, to: base + 2 * DAY })).toolCalls).toMatchObject({ total: 2, ok: 1, unknown: 1 });
      // Leaves nothing behind for the cutoffs of the cases that write later days.
      while ((await f.store.deleteBefore(base + 2 * DAY, 100)) > 0);
    });
  });
}
