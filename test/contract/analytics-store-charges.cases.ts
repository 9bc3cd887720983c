import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, type AnalyticsFixture } from './analytics-store.fixture.js';

/** What WhatsApp charged: once per delivered message, where it was delivered, added to the AI's cost. */
export function chargeCases(current: () => AnalyticsFixture): void {
  describe('WhatsApp charges', () => {
    it("adds a message's charge once to the cost, however many of its statuses report it and in whatever order", async () => {
      const f = current();
      const [delivered, read] = f.charged(0.1365);
      await f.recordAll([f.message({ costUsd: 0.002 }), read, delivered]);
      expect(await f.store.record(read)).toBe('duplicate');
      expect(await f.store.record(delivered)).toBe('duplicate');

      const summary = await f.store.summary({ from: f.base, to: f.base + DAY });

      expect(summary.costBreakdown.aiUsd).toBeCloseTo(0.002, 10);
      expect(summary.costBreakdown.whatsappUsd).toBeCloseTo(0.1365, 10);
      expect(summary.costUsd).toBeCloseTo(0.1385, 10);
    });

    it('keeps the first charge reported for a message when a later status of it reports another', async () => {
      const f = current();
      const [delivered, read] = f.charged(0.05);
      await f.recordAll([delivered, { ...read, charge: { category: 'marketing', market: 'DE', usd: 9 } }]);

      expect((await f.store.summary({ from: f.base, to: f.base + DAY })).costBreakdown.whatsappUsd).toBeCloseTo(0.05, 10);
    });

    it('counts charges concurrently reported by several statuses once', async () => {
      const f = current();
      const [delivered, read] = f.charged(0.02);
      await Promise.all([delivered, read, delivered, read].map((status) => f.store.record(status)));

      expect((await f.store.summary({ from: f.base, to: f.base + DAY })).costBreakdown.whatsappUsd).toBeCloseTo(0.02, 10);
    });

    it('sums the charges delivered in the range, for the channel asked, and prices an unpriced charge at nothing', async () => {
      const f = current();
      await f.recordAll([
        ...f.charged(0.01, { occurredAt: f.base + HOUR - 1 }),
        ...f.charged(0.02, { occurredAt: f.base + HOUR }),
        ...f.charged(null, { occurredAt: f.base + HOUR + 1 }),
        ...f.charged(0.04, { occurredAt: f.base + 2 * HOUR }),
      ]);

      const range = { from: f.base + HOUR, to: f.base + 2 * HOUR };
      expect((await f.store.summary(range)).costBreakdown).toEqual({ aiUsd: 0, whatsappUsd: 0.02 });
      expect((await f.store.summary({ ...range, channel: 'api' })).costBreakdown.whatsappUsd).toBe(0);
      expect((await f.store.summary({ ...range, channel: 'whatsapp' })).costUsd).toBeCloseTo(0.02, 10);
    });

    it("gives each conversation its charges in the range beside its AI cost, in the list and the export alike", async () => {
      const f = current();
      const a = { conversationId: `c-${f.run}-a`, userKey: `u-${f.run}-a` };
      const b = { conversationId: `c-${f.run}-b`, userKey: `u-${f.run}-b` };
      await f.recordAll([
        f.message({ ...a, receivedAt: f.base + 1000, costUsd: 0.003 }),
        f.message({ ...b, receivedAt: f.base + 2000, costUsd: 0.001 }),
        ...f.charged(0.0529, { ...a, occurredAt: f.base + 5000 }),
        ...f.charged(0.0034, { ...a, occurredAt: f.base + 6000 }),
        ...f.charged(1, { ...a, occurredAt: f.base + DAY + 1 }), // after the range
      ]);
      const range = { from: f.base, to: f.base + DAY };

      const page = await f.store.conversations({ ...range, limit: 10 });
      const byId = Object.fromEntries(page.items.map((c) => [c.id, c]));

      expect(byId[a.conversationId]!.costBreakdown.aiUsd).toBeCloseTo(0.003, 10);
      expect(byId[a.conversationId]!.costBreakdown.whatsappUsd).toBeCloseTo(0.0563, 10);
      expect(byId[a.conversationId]!.costUsd).toBeCloseTo(0.0593, 10);
      expect(byId[b.conversationId]).toMatchObject({ costUsd: 0.001, costBreakdown: { aiUsd: 0.001, whatsappUsd: 0 } });
      const exported = [];
      for await (const c of f.store.exportConversations(range)) exported.push(c);
      expect(exported).toEqual(page.items);
    });

    it('shows who each conversation is with, masked, and the latest profile name they gave, over whole days and edges alike', async () => {
      const f = current();
      const who = { conversationId: `c-${f.run}-who`, userKey: `u-${f.run}-who`, participant: '+49 170 •••• 4567' };
      await f.recordAll([
        f.message({ ...who, receivedAt: f.base + HOUR, profileName: 'Ada' }),
        f.message({ ...who, receivedAt: f.base + DAY + HOUR, profileName: 'Ada L.' }), // a whole day of the range
        f.message({ ...who, receivedAt: f.base + 2 * DAY + HOUR }), // no name given this time
        f.message({ conversationId: `c-${f.run}-anon`, userKey: `u-${f.run}-anon`, participant: 'cu••••11', receivedAt: f.base + 2 * DAY + 2 * HOUR }),
      ]);
      const range = { from: f.base + HOUR / 2, to: f.base + 2 * DAY + 3 * HOUR };

      const page = await f.store.conversations({ ...range, limit: 10 });

      expect(page.items.map((c) => [c.id, c.participant, c.profileName])).toEqual([
        [`c-${f.run}-anon`, 'cu••••11', null],
        [who.conversationId, '+49 170 •••• 4567', 'Ada L.'],
      ]);
    });

    it("shows how each conversation's last reported delivery ended, up to the range's end, whatever order the statuses came in", async () => {
      const f = current();
      const a = { conversationId: `c-${f.run}-a`, userKey: `u-${f.run}-a` };
      const b = { conversationId: `c-${f.run}-b`, userKey: `u-${f.run}-b` };
      const c = { conversationId: `c-${f.run}-c`, userKey: `u-${f.run}-c` };
      const status = (who: typeof a, status: 'sent' | 'delivered' | 'read' | 'failed', at: number) =>
        f.status({ ...who, eventId: `status:whatsapp:${who.conversationId}:${status}:${at}`, outboundId: `out-${who.conversationId}-${at}`, status, occurredAt: f.base + at });
      await f.recordAll([
        f.message({ ...a, receivedAt: f.base + 1000 }),
        f.message({ ...b, receivedAt: f.base + 2000 }),
        f.message({ ...c, receivedAt: f.base + 3000 }),
        // a: read arrives before delivered and sent, at the same second as delivered
        status(a, 'read', 9000),
        status(a, 'delivered', 9000),
        status(a, 'sent', 8000),
        // b: a later reply failed; its status after the range's end does not count
        status(b, 'read', 5000),
        status(b, 'failed', 7000),
        status(b, 'read', DAY + 1),
      ]);

      const page = await f.store.conversations({ from: f.base, to: f.base + DAY, limit: 10 });

      expect(Object.fromEntries(page.items.map((i) => [i.id, i.lastDelivery]))).toEqual({ [a.conversationId]: 'read', [b.conversationId]: 'failed', [c.conversationId]: null });
    });

    it('gives the cost of one conversation as p50 and p95 over the conversations with a message in the range, their charges there included', async () => {
      const f = current();
      const conversation = (n: number) => ({ conversationId: `c-${f.run}-${n}`, userKey: `u-${f.run}-${n}` });
      // Ten conversations: n costs n cents of AI, the tenth also a WhatsApp charge of 1 USD. The range cuts
      // its first and last day, so some messages come from whole days and some from the edges.
      const events = Array.from({ length: 10 }, (_, i) => i + 1).flatMap((n) => [
        f.message({ ...conversation(n), receivedAt: f.base + (n % 2 === 0 ? DAY + HOUR : 2 * HOUR), costUsd: n / 200 }),
        f.message({ ...conversation(n), receivedAt: f.base + 2 * DAY + HOUR, costUsd: n / 200 }),
      ]);
      await f.recordAll([...events, ...f.charged(1, { ...conversation(10), occurredAt: f.base + DAY + 2 * HOUR })]);
      // A charge of a conversation with no message in the range counts in no conversation's cost.
      await f.recordAll(f.charged(5, { ...conversation(99), occurredAt: f.base + DAY + 3 * HOUR }));

      const range = { from: f.base + HOUR, to: f.base + 2 * DAY + 2 * HOUR };
      const summary = await f.store.summary(range, { conversationCosts: true });

      expect(summary.conversations).toBe(10);
      expect(summary.costPerConversationUsd?.p50).toBeCloseTo(0.05, 10);
      expect(summary.costPerConversationUsd?.p95).toBeCloseTo(1.1, 10);
      expect((await f.store.summary({ from: f.base + 3 * DAY, to: f.base + 4 * DAY }, { conversationCosts: true })).costPerConversationUsd).toEqual({ p50: null, p95: null });
      // Only when asked: it regroups the range by conversation.
      expect(await f.store.summary(range)).not.toHaveProperty('costPerConversationUsd');
    });

    it("forgets an erased user's charges, and refuses a late one about them", async () => {
      const f = current();
      const erased = { conversationId: `c-${f.run}-gone`, userKey: `u-${f.run}-gone` };
      const [delivered, read] = f.charged(0.5, erased);
      await f.recordAll([delivered, ...f.charged(0.25)]);

      await f.store.eraseUser(erased.userKey, f.base + DAY);

      expect(await f.store.record(read)).toBe('erased');
      expect((await f.store.summary({ from: f.base, to: f.base + DAY })).costBreakdown.whatsappUsd).toBeCloseTo(0.25, 10);
    });

    it('deletes charges delivered before the retention cutoff', async () => {
      const f = current();
      // A day long past, which no other case uses: the cutoff touches only this case's facts.
      const base = Date.UTC(1980, 0, 1) + randomInt(0, 7_000) * DAY;
      await f.recordAll([...f.charged(0.5, { occurredAt: base + HOUR }), ...f.charged(0.25, { occurredAt: base + DAY + HOUR })]);

      let batches = 0;
      while ((await f.store.deleteBefore(base + DAY, 1)) > 0) expect(++batches).toBeLessThan(100);

      expect((await f.store.summary({ from: base, to: base + 2 * DAY })).costBreakdown.whatsappUsd).toBeCloseTo(0.25, 10);
    });
  });
}
