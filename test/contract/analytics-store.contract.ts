import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationSummary } from '../../src/domain/model/analytics.js';
import { ValidationError } from '../../src/domain/model/errors.js';
import type { Channel } from '../../src/domain/model/ids.js';
import type { MessageInteraction, StatusInteraction } from '../../src/domain/model/interaction.js';
import type { SendFailureReason } from '../../src/domain/model/reasons.js';
import type { AnalyticsStore } from '../../src/domain/ports/analytics-store.js';
import { agentReplyCases } from './analytics-store-agent-replies.cases.js';
import { chargeCases } from './analytics-store-charges.cases.js';
import { erasureCases } from './analytics-store-erasure.cases.js';
import { listFilterCases } from './analytics-store-list-filters.cases.js';
import { rangeCases } from './analytics-store-ranges.cases.js';
import { retentionCases } from './analytics-store-retention.cases.js';
import { timeseriesCases } from './analytics-store-timeseries.cases.js';
import { timeZoneCases } from './analytics-store-time-zone.cases.js';
import { toolCallCases } from './analytics-store-tool-calls.cases.js';
import { anAnalyticsFixture, DAY, EMPTY_SUMMARY, expectPercentiles, HOUR, type AnalyticsFixture } from './analytics-store.fixture.js';

export interface AnalyticsStoreUnderTest {
  store: AnalyticsStore;
  cleanup?: () => Promise<void>;
}

/** The shared cases every AnalyticsStore implementation must pass. */
export function analyticsStoreContract(name: string, make: () => Promise<AnalyticsStoreUnderTest>): void {
  describe(name, () => {
    let fixture: AnalyticsFixture;
    let store: AnalyticsStore;
    let cleanup: (() => Promise<void>) | undefined;
    /** Each test queries a day of its own, so a shared database's other rows stay out of range. */
    let base: number;
    let run: string;

    beforeEach(async () => {
      ({ store, cleanup } = await make());
      fixture = anAnalyticsFixture(store);
      ({ base, run } = fixture);
    });
    afterEach(async () => {
      await cleanup?.();
    });

    const day = () => ({ from: base, to: base + DAY });

    const aMessageEvent = (overrides: Partial<MessageInteraction> = {}) => fixture.message(overrides);
    const aStatusEvent = (overrides: Partial<StatusInteraction> = {}) => fixture.status(overrides);
    const recordAll = (events: (MessageInteraction | StatusInteraction)[]) => fixture.recordAll(events);

    describe('record', () => {
      it('inserts an event once and reports duplicate when the same eventId is recorded again', async () => {
        const event = aMessageEvent({ usage: { prompt: 10, completion: 5 } });

        expect(await store.record(event)).toBe('inserted');
        expect(await store.record(event)).toBe('duplicate');
        expect(await store.record({ ...event, usage: { prompt: 999, completion: 999 } })).toBe('duplicate');

        const summary = await store.summary(day());
        expect(summary.messagesIn).toBe(1);
        expect(summary.tokens).toEqual({ prompt: 10, completion: 5 });
      });

      it('counts a fact once when the same event is recorded concurrently', async () => {
        const event = aMessageEvent();
        const results = await Promise.all(Array.from({ length: 10 }, () => store.record(event)));

        expect(results.filter((r) => r === 'inserted')).toHaveLength(1);
        expect((await store.summary(day())).messagesIn).toBe(1);
      });

      it('reports duplicate when the same status event is recorded again', async () => {
        const status = aStatusEvent();
        expect(await store.record(status)).toBe('inserted');
        expect(await store.record(status)).toBe('duplicate');
      });

      it('inserts a status once when the same status event is recorded concurrently', async () => {
        const status = aStatusEvent();
        const results = await Promise.all(Array.from({ length: 10 }, () => store.record(status)));
        expect(results.filter((r) => r === 'inserted')).toHaveLength(1);
      });

      it('counts each fact once when duplicates of several events race each other', async () => {
        const events = Array.from({ length: 5 }, (_, i) => aMessageEvent({ usage: { prompt: 10 ** i, completion: 0 }, latencyMs: 100 * (i + 1) }));
        const results = await Promise.all(events.flatMap((event) => [store.record(event), store.record(event), store.record(event)]));

        expect(results.filter((r) => r === 'inserted')).toHaveLength(5);
        const summary = await store.summary(day());
        expect(summary.messagesIn).toBe(5);
        expect(summary.tokens.prompt).toBe(11111);
        expectPercentiles(summary.replyLatencyMs, { p50: 300, p95: 500, p99: 500 });
      });
    });

    describe('record, revising an unknown send outcome', () => {
      const unknown = () => aMessageEvent({ outcome: 'send-unknown', failureReason: 'send_outcome_unknown', costUsd: 0.01, usage: { prompt: 4, completion: 2 }, latencyMs: 100 });

      it('replaces a send-unknown outcome once by the sent outcome a status settled, everywhere it is counted', async () => {
        const event = unknown();
        await store.record(event);
        expect(await store.summary(day())).toMatchObject({ messagesOut: 0, failures: { total: 1, byReason: { 'send_outcome_unknown': 1 } } });

        const { failureReason: _, ...settled } = { ...event, outcome: 'sent' as const };
        expect(await store.record(settled)).toBe('revised');
        expect(await store.record(settled)).toBe('duplicate');

        const summary = await store.summary(day());
        expect(summary).toMatchObject({ conversations: 1, messagesIn: 1, messagesOut: 1, uniqueUsers: 1, tokens: { prompt: 4, completion: 2 }, failures: { total: 0, byReason: {} } });
        expect(summary.costUsd).toBeCloseTo(0.01, 10);
        const page = await store.conversations({ ...day(), limit: 10 });
        expect(page.items).toMatchObject([{ messagesIn: 1, messagesOut: 1 }]);
        const out = await store.timeseries({ metric: 'messagesOut', interval: 'day', from: base, to: base + DAY });
        const failures = await store.timeseries({ metric: 'failures', interval: 'hour', from: base, to: base + HOUR });
        expect([out[0]!.value, failures[0]!.value]).toEqual([1, 0]);
      });

      it('replaces a send-unknown outcome by the failure a status reported, counted under its own reason', async () => {
        const event = unknown();
        await store.record(event);

        expect(await store.record({ ...event, outcome: 'failed', failureReason: 'whatsapp_error_131026' })).toBe('revised');

        expect(await store.summary(day())).toMatchObject({ messagesIn: 1, messagesOut: 0, failures: { total: 1, byReason: { 'whatsapp_error_131026': 1 } } });
      });

      it('counts the message once, as sent or failed, when revisions of the same unknown outcome race', async () => {
        const event = unknown();
        await store.record(event);
        const { failureReason: _, ...sent } = { ...event, outcome: 'sent' as const };

        const results = await Promise.all([store.record(sent), store.record({ ...event, outcome: 'failed', failureReason: 'whatsapp_error_131026' }), store.record(sent)]);

        // A sent outcome may still be revised to failed (its delivery failed), so one or two revisions apply.
        expect(results.filter((r) => r === 'revised').length).toBeGreaterThanOrEqual(1);
        const summary = await store.summary(day());
        expect(summary.messagesIn).toBe(1);
        expect(summary.messagesOut + summary.failures.total).toBe(1);
      });
    });

    describe('record, revising a reply whose delivery failed after it was sent', () => {
      const sentReply = () => aMessageEvent({ outcome: 'sent', costUsd: 0.01, usage: { prompt: 4, completion: 2 }, latencyMs: 100 });
      const undelivered = (event: MessageInteraction) => ({ ...event, outcome: 'failed' as const, failureReason: 'whatsapp_undeliverable' as const, occurredAt: event.occurredAt + 60_000 });

      it('no longer counts it as answered but as failed under the delivery reason, everywhere it is counted, once', async () => {
        const event = sentReply();
        await store.record(event);
        expect(await store.summary(day())).toMatchObject({ messagesOut: 1, failures: { total: 0 } });

        expect(await store.record(undelivered(event))).toBe('revised');
        expect(await store.record(undelivered(event))).toBe('duplicate');
        expect(await store.record({ ...undelivered(event), failureReason: 'delivery_failed' })).toBe('duplicate');
        expect(await store.record(event)).toBe('duplicate');

        const summary = await store.summary(day());
        expect(summary).toMatchObject({ messagesIn: 1, messagesOut: 0, tokens: { prompt: 4, completion: 2 }, failures: { total: 1, byReason: { whatsapp_undeliverable: 1 } } });
        expect(summary.costUsd).toBeCloseTo(0.01, 10);
        expect((await store.conversations({ ...day(), limit: 10 })).items).toMatchObject([{ messagesIn: 1, messagesOut: 0 }]);
        const out = await store.timeseries({ metric: 'messagesOut', interval: 'day', from: base, to: base + DAY });
        const failures = await store.timeseries({ metric: 'failures', interval: 'day', from: base, to: base + DAY });
        expect([out[0]!.value, failures[0]!.value]).toEqual([0, 1]);
      });

      it('counts a reply once when the failure of its delivery arrives before the reply itself was recorded', async () => {
        const event = sentReply();
        expect(await store.record(undelivered(event))).toBe('inserted');
        expect(await store.record(event)).toBe('duplicate');

        expect(await store.summary(day())).toMatchObject({ messagesIn: 1, messagesOut: 0, failures: { total: 1, byReason: { whatsapp_undeliverable: 1 } } });
      });

      it('revises it once when several failures of its delivery race', async () => {
        const event = sentReply();
        await store.record(event);

        const results = await Promise.all([1, 2, 3].map(() => store.record(undelivered(event))));

        expect(results.filter((r) => r === 'revised')).toHaveLength(1);
        expect(await store.summary(day())).toMatchObject({ messagesIn: 1, messagesOut: 0, failures: { total: 1 } });
      });

      it('never revises other outcomes: a skipped, unsent or failed message stays as recorded', async () => {
        for (const outcome of ['skipped', 'unsent', 'failed'] as const) {
          const event = aMessageEvent({ outcome, failureReason: 'completion_failed' });
          await store.record(event);
          expect(await store.record(undelivered(event)), outcome).toBe('duplicate');
        }
      });
    });

    describe('summary', () => {
      it('counts conversations, messages, users, tokens, cost and failures when the range holds mixed outcomes', async () => {
        await recordAll([
          aMessageEvent({ conversationId: `c-${run}-a`, userKey: `u-${run}-1`, usage: { prompt: 10, completion: 5 }, costUsd: 0.01, latencyMs: 100 }),
          aMessageEvent({ conversationId: `c-${run}-a`, userKey: `u-${run}-1`, usage: { prompt: 20, completion: 7 }, costUsd: 0.02, latencyMs: 300 }),
          aMessageEvent({ conversationId: `c-${run}-b`, userKey: `u-${run}-2`, replyKind: 'fallback', failureReason: 'completion_failed', latencyMs: 200 }),
          aMessageEvent({ conversationId: `c-${run}-c`, userKey: `u-${run}-3`, outcome: 'failed', failureReason: 'reply_send_failed', usage: { prompt: 5, completion: 3 }, costUsd: 0.005, latencyMs: 400 }),
          aMessageEvent({ conversationId: `c-${run}-c`, userKey: `u-${run}-3`, outcome: 'skipped', messageType: 'reaction', replyKind: undefined, latencyMs: undefined }),
          aStatusEvent({ conversationId: `c-${run}-d`, userKey: `u-${run}-4` }),
        ]);

        const summary = await store.summary(day());

        expect(summary).toMatchObject({
          conversations: 3,
          messagesIn: 5,
          messagesOut: 3,
          uniqueUsers: 3,
          tokens: { prompt: 35, completion: 15 },
          failures: { total: 2, byReason: { completion_failed: 1, reply_send_failed: 1 } },
        });
        expectPercentiles(summary.replyLatencyMs, { p50: 200, p95: 400, p99: 400 });
        expect(summary.costUsd).toBeCloseTo(0.035, 10);
      });

      it('counts a failed delivery status with its reason among the failures, in the summary and the timeseries, when it happened in the range', async () => {
        const failed = (offset: number, failureReason?: SendFailureReason, channel: Channel = 'whatsapp') =>
          aStatusEvent({ status: 'failed', errorCode: 131047, occurredAt: base + offset, channel, ...(failureReason ? { failureReason } : {}) });
        await recordAll([
          aMessageEvent({ receivedAt: base + 1000 }),
          failed(2 * HOUR + 5, 'outside_service_window'),
          failed(2 * HOUR + 6, 'outside_service_window', 'api'),
          // A failed status without a reason is one whose failure the message already counts.
          failed(2 * HOUR + 7),
          failed(DAY + 10, 'outside_service_window'),
        ]);

        expect((await store.summary(day())).failures).toEqual({ total: 2, byReason: { 'outside_service_window': 2 } });
        expect((await store.summary({ ...day(), channel: 'whatsapp' })).failures).toEqual({ total: 1, byReason: { 'outside_service_window': 1 } });
        expect((await store.summary({ from: base + 2 * HOUR + 6, to: base + DAY })).failures.total).toBe(1);
        expect(await store.summary(day())).toMatchObject({ messagesIn: 1, messagesOut: 1 });
        const series = await store.timeseries({ metric: 'failures', interval: 'hour', from: base, to: base + 4 * HOUR });
        expect(series.map((point) => point.value)).toEqual([0, 0, 2, 0]);
      });

      it('computes nearest-rank latency percentiles when latencies are 1..100 recorded in random order', async () => {
        const latencies = Array.from({ length: 100 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
        await recordAll(latencies.map((latencyMs) => aMessageEvent({ latencyMs })));

        expectPercentiles((await store.summary(day())).replyLatencyMs, { p50: 50, p95: 95, p99: 99 });
      });

      it('returns zeros and null percentiles when the range is empty', async () => {
        expect(await store.summary(day())).toEqual(EMPTY_SUMMARY);
      });

      it('counts only the channel asked for when a channel filter is given', async () => {
        const on = (channel: Channel, n: number) =>
          Array.from({ length: n }, () => aMessageEvent({ channel, conversationId: `c-${run}-${channel}`, userKey: `u-${run}-${channel}` }));
        await recordAll([...on('whatsapp', 3), ...on('api', 2)]);

        expect(await store.summary({ ...day(), channel: 'api' })).toMatchObject({ messagesIn: 2, conversations: 1, uniqueUsers: 1 });
        expect(await store.summary({ ...day(), channel: 'whatsapp' })).toMatchObject({ messagesIn: 3, conversations: 1 });
        expect((await store.summary(day())).messagesIn).toBe(5);
      });

      it('counts messages received from `from` inclusive to `to` exclusive when a time range is given', async () => {
        const at = (offset: number) => aMessageEvent({ receivedAt: base + offset, occurredAt: base + offset, usage: { prompt: offset, completion: 0 } });
        await recordAll([at(999), at(1000), at(1500), at(2000)]);

        const summary = await store.summary({ from: base + 1000, to: base + 2000 });

        expect(summary.messagesIn).toBe(2);
        expect(summary.tokens.prompt).toBe(2500);
      });
    });

    describe('conversations', () => {
      it('walks every conversation exactly once, newest activity first, when paging with limit 2', async () => {
        // Seven conversations; two pairs share their last activity time to exercise tie-breaking.
        const lastAt = [5000, 4000, 4000, 3000, 2000, 2000, 1000];
        const events = lastAt.flatMap((at, i) => [
          aMessageEvent({ conversationId: `c-${run}-${i}`, receivedAt: base + 10, costUsd: 0.5 }),
          aMessageEvent({ conversationId: `c-${run}-${i}`, receivedAt: base + at, outcome: 'failed', costUsd: 0.25 }),
        ]);
        await recordAll(events.toSorted(() => Math.random() - 0.5));

        const walked: ConversationSummary[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.conversations({ ...day(), limit: 2, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(2);
          walked.push(...page.items);
          cursor = page.nextCursor ?? undefined;
          pages += 1;
        } while (cursor && pages < 10);

        expect(pages).toBe(4);
        expect(walked.map((c) => c.id).toSorted()).toEqual(lastAt.map((_, i) => `c-${run}-${i}`).toSorted());
        expect(walked.map((c) => c.lastMessageAt)).toEqual(lastAt.map((at) => base + at));
        expect(walked[0]).toEqual({
          id: `c-${run}-0`,
          channel: 'whatsapp',
          accountId: `acct-${run}`,
          participant: null,
          profileName: null,
          lastDelivery: null,
          mode: 'bot',
          firstMessageAt: base + 10,
          lastMessageAt: base + 5000,
          messagesIn: 2,
          messagesOut: 1,
          tokens: { prompt: 0, completion: 0 },
          agentReplies: 0,
          toolCalls: 0,
          costUsd: 0.75,
          costBreakdown: { aiUsd: 0.75, whatsappUsd: 0 },
        });
      });

      it('returns no next cursor when everything fits on one page', async () => {
        await recordAll([aMessageEvent()]);
        const page = await store.conversations({ ...day(), limit: 5 });
        expect(page.items.map((c) => c.id)).toEqual([`c-${run}-1`]);
        expect(page.nextCursor).toBeNull();
      });

      it('filters conversations by channel when a channel is given', async () => {
        await recordAll([aMessageEvent({ channel: 'api', conversationId: `c-${run}-api` }), aMessageEvent({ conversationId: `c-${run}-wa` })]);
        const page = await store.conversations({ ...day(), channel: 'api', limit: 10 });
        expect(page.items.map((c) => c.id)).toEqual([`c-${run}-api`]);
      });

      it('rejects with a ValidationError when the cursor is garbage', async () => {
        await recordAll([aMessageEvent()]);
        for (const cursor of ['garbage!!', 'bm90IGpzb24', Buffer.from('{"at":1}').toString('base64url'), Buffer.from('null').toString('base64url')]) {
          await expect(store.conversations({ ...day(), limit: 2, cursor })).rejects.toBeInstanceOf(ValidationError);
        }
      });
    });

    const current = () => fixture;
    rangeCases(current);
    timeseriesCases(current);
    timeZoneCases(current);
    erasureCases(current);
    retentionCases(current);
    chargeCases(current);
    listFilterCases(current);
    agentReplyCases(current);
    toolCallCases(current);
  });
}
