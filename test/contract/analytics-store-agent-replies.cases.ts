import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConversationSummary } from '../../src/domain/model/analytics.js';
import { DAY, HOUR, type AnalyticsFixture } from './analytics-store.fixture.js';

/** Replies people wrote in conversations they took over (human handoff): counted by outcome in the summary, per conversation in the list. */
export function agentReplyCases(current: () => AnalyticsFixture): void {
  describe('agent replies', () => {
    const day = (f: AnalyticsFixture) => ({ from: f.base, to: f.base + DAY });

    it('records an agent reply once by its event id, however often and however concurrently it comes', async () => {
      const f = current();
      const sent = f.agentReply('sent');
      const failed = f.agentReply('failed');

      expect(await f.store.record(sent)).toBe('inserted');
      expect(await f.store.record(sent)).toBe('duplicate');
      // Only an unknown outcome is ever settled: a sent reply stays sent.
      expect(await f.store.record({ ...sent, outcome: 'failed', failureReason: 'outside_service_window' })).toBe('duplicate');
      const results = await Promise.all(Array.from({ length: 8 }, () => f.store.record(failed)));

      expect(results.filter((r) => r === 'inserted')).toHaveLength(1);
      expect(results.filter((r) => r === 'duplicate')).toHaveLength(7);
      expect((await f.store.summary(day(f))).agentReplies).toEqual({ total: 2, sent: 1, failed: 1, unknown: 0 });
    });

    it('settles an unknown outcome once, by the sent or failed outcome a later event of the same id reports, where the send ended', async () => {
      const f = current();
      const toSent = f.agentReply('send-unknown', { failureReason: 'send_outcome_unknown' });
      const toFailed = f.agentReply('send-unknown');
      const racing = f.agentReply('send-unknown');
      await f.recordAll([toSent, toFailed, racing]);
      expect((await f.store.summary(day(f))).agentReplies).toEqual({ total: 3, sent: 0, failed: 0, unknown: 3 });

      // Reported the next day: the reply still counts where its send ended.
      const { failureReason: _, ...settled } = { ...toSent, outcome: 'sent' as const, occurredAt: toSent.occurredAt + DAY };
      expect(await f.store.record(settled)).toBe('revised');
      expect(await f.store.record(settled)).toBe('duplicate');
      expect(await f.store.record({ ...toSent, outcome: 'send-unknown' })).toBe('duplicate');
      expect(await f.store.record({ ...toFailed, outcome: 'failed', failureReason: 'outside_service_window' })).toBe('revised');
      const race = await Promise.all([f.store.record({ ...racing, outcome: 'sent' }), f.store.record({ ...racing, outcome: 'failed', failureReason: 'whatsapp_undeliverable' })]);

      expect(race.filter((r) => r === 'revised')).toHaveLength(1);
      const { agentReplies } = await f.store.summary(day(f));
      expect(agentReplies).toMatchObject({ total: 3, unknown: 0 });
      expect(agentReplies.sent + agentReplies.failed).toBe(3);
      expect(agentReplies.failed).toBeGreaterThanOrEqual(1);
      expect((await f.store.summary({ from: f.base + DAY, to: f.base + 2 * DAY })).agentReplies.total).toBe(0);
    });

    it('counts in the summary the agent replies whose send ended from `from` inclusive to `to` exclusive, of the channel asked for', async () => {
      const f = current();
      const at = (offset: number, outcome: 'sent' | 'failed' | 'send-unknown', channel: 'whatsapp' | 'api' = 'whatsapp') =>
        f.agentReply(outcome, { occurredAt: f.base + offset, channel });
      await f.recordAll([
        f.message({ receivedAt: f.base + 1000 }),
        at(HOUR - 1, 'sent'),
        at(HOUR, 'sent'),
        at(HOUR + 1, 'failed'),
        at(2 * HOUR - 1, 'send-unknown'),
        at(2 * HOUR, 'sent'),
        at(HOUR + 5, 'sent', 'api'),
        at(DAY, 'sent'),
      ]);

      expect((await f.store.summary({ from: f.base + HOUR, to: f.base + 2 * HOUR })).agentReplies).toEqual({ total: 4, sent: 2, failed: 1, unknown: 1 });
      expect((await f.store.summary({ from: f.base + HOUR, to: f.base + 2 * HOUR, channel: 'whatsapp' })).agentReplies).toEqual({ total: 3, sent: 1, failed: 1, unknown: 1 });
      expect((await f.store.summary({ ...day(f), channel: 'api' })).agentReplies).toEqual({ total: 1, sent: 1, failed: 0, unknown: 0 });
      expect((await f.store.summary(day(f))).agentReplies).toEqual({ total: 6, sent: 4, failed: 1, unknown: 1 });
      // Agent replies are neither messages nor the bot's replies nor its failures.
      expect(await f.store.summary(day(f))).toMatchObject({ messagesIn: 1, messagesOut: 1, conversations: 1, failures: { total: 0 } });
    });

    it("lists each conversation's agent replies in the range, of the channel asked for, in the list, the export and one conversation alike", async () => {
      const f = current();
      const who = (n: string, channel: 'whatsapp' | 'api' = 'whatsapp') => ({ conversationId: `c-${f.run}-${n}`, userKey: `u-${f.run}-${n}`, channel });
      await f.recordAll([
        f.message({ ...who('taken'), receivedAt: f.base + 1000 }),
        f.mode('human', { ...who('taken'), occurredAt: f.base + 2000 }),
        f.agentReply('sent', { ...who('taken'), occurredAt: f.base + HOUR }),
        f.agentReply('failed', { ...who('taken'), occurredAt: f.base + 2 * HOUR }),
        f.agentReply('send-unknown', { ...who('taken'), occurredAt: f.base + 3 * HOUR }),
        // after the range's end
        f.agentReply('sent', { ...who('taken'), occurredAt: f.base + DAY + HOUR }),
        f.message({ ...who('bot'), receivedAt: f.base + 3000 }),
        f.message({ ...who('api', 'api'), receivedAt: f.base + 4000 }),
        f.agentReply('sent', { ...who('api', 'api'), occurredAt: f.base + HOUR }),
        // a conversation without a message in the range is not listed for its agent replies
        f.agentReply('sent', { ...who('quiet'), occurredAt: f.base + HOUR }),
      ]);
      const replies = (items: ConversationSummary[]) => Object.fromEntries(items.map((c) => [c.id.split('-').at(-1), c.agentReplies]));

      const page = await f.store.conversations({ ...day(f), limit: 10 });
      expect(replies(page.items)).toEqual({ taken: 3, bot: 0, api: 1 });
      expect(replies((await f.store.conversations({ ...day(f), channel: 'whatsapp', limit: 10 })).items)).toEqual({ taken: 3, bot: 0 });
      expect(replies((await f.store.conversations({ ...day(f), mode: 'human', limit: 10 })).items)).toEqual({ taken: 3 });
      expect(replies((await f.store.conversations({ from: f.base + 2 * HOUR, to: f.base + 2 * DAY, limit: 10 })).items)).toEqual({});
      expect(replies((await f.store.conversations({ from: f.base, to: f.base + 2 * DAY, limit: 10 })).items)).toEqual({ taken: 4, bot: 0, api: 1 });
      const exported: ConversationSummary[] = [];
      for await (const c of f.store.exportConversations(day(f))) exported.push(c);
      expect(replies(exported)).toEqual({ taken: 3, bot: 0, api: 1 });
      const taken = await f.store.conversation(who('taken').conversationId, day(f));
      expect(taken).toEqual(page.items.find((c) => c.id === who('taken').conversationId));
      expect(taken).toMatchObject({ agentReplies: 3, messagesIn: 1, messagesOut: 1, mode: 'human' });
    });

    it("forgets an erased user's agent replies, refuses those that happened before the erasure and keeps everyone else's", async () => {
      const f = current();
      const erased = { conversationId: `c-${f.run}-erased`, userKey: `u-${f.run}-erased` };
      const kept = { conversationId: `c-${f.run}-kept`, userKey: `u-${f.run}-kept` };
      const late = f.agentReply('sent', { ...erased, occurredAt: f.base + 2 * HOUR });
      const unknown = f.agentReply('send-unknown', { ...erased, occurredAt: f.base + HOUR });
      await f.recordAll([
        f.message({ ...erased, receivedAt: f.base + 1000 }),
        unknown,
        f.agentReply('failed', { ...erased, occurredAt: f.base + HOUR + 1 }),
        f.message({ ...kept, receivedAt: f.base + 2000 }),
        f.agentReply('sent', { ...kept, occurredAt: f.base + HOUR }),
      ]);

      await f.store.eraseUser(erased.userKey, f.base + 3 * HOUR);

      expect((await f.store.summary(day(f))).agentReplies).toEqual({ total: 1, sent: 1, failed: 0, unknown: 0 });
      expect(await f.store.record(late)).toBe('erased');
      // Settling the erased user's unknown send brings it back no more than recording it anew.
      expect(await f.store.record({ ...unknown, outcome: 'sent' })).toBe('erased');
      expect(await f.store.record(f.agentReply('sent', { ...erased, occurredAt: f.base + 4 * HOUR }))).toBe('inserted');
      expect((await f.store.summary(day(f))).agentReplies).toEqual({ total: 2, sent: 2, failed: 0, unknown: 0 });
      const page = await f.store.conversations({ ...day(f), limit: 10 });
      expect(page.items.map((c) => [c.id, c.agentReplies])).toEqual([[kept.conversationId, 1]]);
    });

    it('retention deletes the agent replies whose send ended before the cutoff, in bounded batches, and keeps those from it on', async () => {
      const f = current();
      // Days before every other case's (the mode retention case uses 1900 on): this cutoff deletes only what this case wrote.
      const base = Date.UTC(1800, 0, 1) + randomInt(0, 7_000) * DAY;
      const at = (offset: number, outcome: 'sent' | 'failed' | 'send-unknown') => f.agentReply(outcome, { occurredAt: base + offset });
      await f.recordAll([at(HOUR, 'sent'), at(2 * HOUR, 'failed'), at(DAY - 1, 'send-unknown'), at(DAY, 'sent'), at(DAY + HOUR, 'failed')]);
      const cutoff = base + DAY;

      let batches = 0;
      while ((await f.store.deleteBefore(cutoff, 1)) > 0) expect(++batches).toBeLessThan(50);

      expect(batches).toBe(3);
      expect((await f.store.summary({ from: base, to: cutoff })).agentReplies.total).toBe(0);
      expect((await f.store.summary({ from: base, to: base + 2 * DAY })).agentReplies).toEqual({ total: 2, sent: 1, failed: 1, unknown: 0 });
      // Leaves nothing behind for the cutoffs of the cases that write later days.
      while ((await f.store.deleteBefore(base + 2 * DAY, 100)) > 0);
    });
  });
}
