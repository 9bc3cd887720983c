import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConversationQuery, ConversationSummary } from '../../src/domain/model/analytics.js';
import type { MessageInteraction } from '../../src/domain/model/interaction.js';
import { DAY, HOUR, type AnalyticsFixture } from './analytics-store.fixture.js';

async function everyPage(f: AnalyticsFixture, query: Omit<ConversationQuery, 'cursor'>): Promise<{ items: ConversationSummary[]; pages: number }> {
  const items: ConversationSummary[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await f.store.conversations({ ...query, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages += 1;
  } while (cursor && pages < 100);
  return { items, pages };
}

/** Each conversation's mode (bot or human), and the list's filters: mode, last delivery, search. */
export function listFilterCases(current: () => AnalyticsFixture): void {
  describe('conversation mode and list filters', () => {
    it("shows each conversation's latest switch before the range's end, whatever order the switches arrive in", async () => {
      const f = current();
      const who = (n: string) => ({ conversationId: `c-${f.run}-${n}`, userKey: `u-${f.run}-${n}` });
      const take = f.mode('human', { ...who('taken'), occurredAt: f.base + HOUR });
      await f.recordAll([
        f.message({ ...who('never'), receivedAt: f.base + 1000 }),
        f.message({ ...who('taken'), receivedAt: f.base + 2000 }),
        f.message({ ...who('back'), receivedAt: f.base + 3000 }),
        f.message({ ...who('later'), receivedAt: f.base + 4000 }),
        take,
        // handed back, the release recorded before the take that preceded it
        f.mode('bot', { ...who('back'), occurredAt: f.base + 2 * HOUR }),
        f.mode('human', { ...who('back'), occurredAt: f.base + HOUR }),
        // taken over only after the range's end
        f.mode('human', { ...who('later'), occurredAt: f.base + DAY + HOUR }),
      ]);
      expect(await f.store.record(take)).toBe('duplicate');

      const page = await f.store.conversations({ from: f.base, to: f.base + DAY, limit: 10 });

      expect(Object.fromEntries(page.items.map((c) => [c.id.split('-').at(-1), c.mode]))).toEqual({ never: 'bot', taken: 'human', back: 'bot', later: 'bot' });
      const later = await f.store.conversations({ from: f.base, to: f.base + 2 * DAY, limit: 10 });
      expect(later.items.find((c) => c.id === who('later').conversationId)?.mode).toBe('human');
    });

    it('of two switches at the same moment, takes the one with the greater event id, on every store alike', async () => {
      const f = current();
      await f.recordAll([
        f.message({ receivedAt: f.base + 1000 }),
        f.mode('human', { eventId: `mode:${f.run}:b`, occurredAt: f.base + HOUR }),
        f.mode('bot', { eventId: `mode:${f.run}:a`, occurredAt: f.base + HOUR }),
      ]);

      expect((await f.store.conversations({ from: f.base, to: f.base + DAY, limit: 10 })).items.map((c) => c.mode)).toEqual(['human']);
    });

    it('lists only the conversations in the mode, with the last delivery, or matching the search asked for', async () => {
      const f = current();
      const who = (n: string, participant: string, profileName?: string): Partial<MessageInteraction> => ({
        conversationId: `c-${f.run}-${n}`,
        userKey: `u-${f.run}-${n}`,
        participant,
        ...(profileName ? { profileName } : {}),
      });
      const ada = who('ada', '+49 170 •••• 4567', 'Ada Lovelace');
      const bob = who('bob', '+44 7700 •••• 0123', 'Bob');
      const cy = who('cy', '+1 415 •••• 4567');
      const zoe = who('zoe', '+33 6 •••• 9876', 'ÄDA Zoë');
      await f.recordAll([
        f.message({ ...ada, receivedAt: f.base + 1000 }),
        // Ada renamed herself: the latest name counts
        f.message({ ...ada, receivedAt: f.base + DAY + HOUR, profileName: 'Ada L.' }),
        f.message({ ...bob, receivedAt: f.base + 2000 }),
        f.message({ ...cy, receivedAt: f.base + 3000 }),
        f.message({ ...zoe, receivedAt: f.base + 500 }),
        f.mode('human', { conversationId: ada.conversationId!, userKey: ada.userKey!, occurredAt: f.base + HOUR }),
        f.status({ conversationId: bob.conversationId!, userKey: bob.userKey!, status: 'failed', occurredAt: f.base + 5000 }),
        f.status({ conversationId: cy.conversationId!, userKey: cy.userKey!, status: 'read', occurredAt: f.base + 5000 }),
      ]);
      const range = { from: f.base, to: f.base + 2 * DAY, limit: 10 };
      const ids = async (filter: Partial<ConversationQuery>) => (await f.store.conversations({ ...range, ...filter })).items.map((c) => c.id.split('-').at(-1));

      expect(await ids({ mode: 'human' })).toEqual(['ada']);
      expect(await ids({ mode: 'bot' })).toEqual(['cy', 'bob', 'zoe']);
      expect(await ids({ outcome: 'failed' })).toEqual(['bob']);
      expect(await ids({ outcome: 'read' })).toEqual(['cy']);
      expect(await ids({ outcome: 'delivered' })).toEqual([]);
      expect(await ids({ search: '4567' })).toEqual(['ada', 'cy']);
      expect(await ids({ search: '+49170' })).toEqual(['ada']);
      expect(await ids({ search: '7700 ••••' })).toEqual(['bob']);
      expect(await ids({ search: 'ada l' })).toEqual(['ada']);
      expect(await ids({ search: 'BOB' })).toEqual(['bob']);
      // the name she used before is not the one the list shows
      expect(await ids({ search: 'lovelace' })).toEqual([]);
      expect(await ids({ search: '4567', mode: 'bot' })).toEqual(['cy']);
      // Any case, beyond ASCII too.
      expect(await ids({ search: 'äda' })).toEqual(['zoe']);
      // A search is text, never a pattern.
      expect(await ids({ search: '%' })).toEqual([]);
      expect(await ids({ search: '_' })).toEqual([]);
      expect(await ids({ search: '.*' })).toEqual([]);
      expect(await ids({ search: '4567', channel: 'api' })).toEqual([]);
    });

    it('pages a filtered list in list order, each match once, however far apart the matches are', async () => {
      const f = current();
      // 60 conversations, one every minute; every seventh was taken over by a person.
      const events = Array.from({ length: 60 }, (_, n) => {
        const who = { conversationId: `c-${f.run}-${String(n).padStart(2, '0')}`, userKey: `u-${f.run}-${n}` };
        const message = f.message({ ...who, receivedAt: f.base + n * 60_000 + randomInt(0, 1000) });
        return n % 7 === 3 ? [message, f.mode('human', { ...who, occurredAt: f.base + 2 * HOUR })] : [message];
      }).flat();
      await f.recordAll(events);
      const range = { from: f.base, to: f.base + DAY };

      const all = await everyPage(f, { ...range, limit: 200 });
      const humans = await everyPage(f, { ...range, limit: 3, mode: 'human' });

      expect(humans.items.map((c) => c.id)).toEqual(all.items.filter((c) => c.mode === 'human').map((c) => c.id));
      expect(humans.items).toHaveLength(9);
      expect(humans.pages).toBe(3);
    });

    it("answers one conversation's figures as the list shows them, and null when it has no message in the range", async () => {
      const f = current();
      const [delivered, read] = f.charged(0.0563, { occurredAt: f.base + DAY + 2 * HOUR });
      await f.recordAll([
        f.message({ receivedAt: f.base + HOUR, costUsd: 0.001, usage: { prompt: 10, completion: 2 }, participant: '+49 170 •••• 4567' }),
        f.message({ receivedAt: f.base + DAY + HOUR, costUsd: 0.002, usage: { prompt: 20, completion: 4 }, profileName: 'Ada' }),
        f.message({ conversationId: `c-${f.run}-other`, userKey: `u-${f.run}-other`, receivedAt: f.base + 2 * HOUR }),
        f.mode('human', { occurredAt: f.base + 3 * HOUR }),
        delivered,
        read,
      ]);
      const range = { from: f.base, to: f.base + 3 * DAY };

      const one = await f.store.conversation(`c-${f.run}-1`, range);

      expect(one).toEqual((await f.store.conversations({ ...range, limit: 10 })).items.find((c) => c.id === `c-${f.run}-1`));
      expect(one).toMatchObject({ messagesIn: 2, mode: 'human', lastDelivery: 'read', participant: '+49 170 •••• 4567', profileName: 'Ada', tokens: { prompt: 30, completion: 6 } });
      expect(one!.costBreakdown.whatsappUsd).toBeCloseTo(0.0563, 10);
      expect(one!.costUsd).toBeCloseTo(0.0593, 10);
      expect(await f.store.conversation(`c-${f.run}-none`, range)).toBeNull();
      expect(await f.store.conversation(`c-${f.run}-1`, { from: f.base + 2 * DAY, to: f.base + 3 * DAY })).toBeNull();
    });

    it("forgets an erased user's switches, and refuses those that happened before the erasure", async () => {
      const f = current();
      const take = f.mode('human', { occurredAt: f.base + HOUR });
      await f.recordAll([f.message({ receivedAt: f.base + 1000 }), take]);
      await f.store.eraseUser(`u-${f.run}-1`, f.base + 2 * HOUR);

      expect(await f.store.record({ ...take, eventId: `${take.eventId}-again` })).toBe('erased');
      await f.recordAll([f.message({ receivedAt: f.base + 3 * HOUR })]);
      expect((await f.store.conversations({ from: f.base, to: f.base + DAY, limit: 10 })).items.map((c) => c.mode)).toEqual(['bot']);
    });

    it("retention deletes switches before the cutoff but a conversation's latest switch to a person", async () => {
      const f = current();
      // Days before every other case's (the retention cases use 1980 on): this cutoff deletes only what this case wrote.
      const base = Date.UTC(1900, 0, 1) + randomInt(0, 7_000) * DAY;
      const who = (n: string) => ({ conversationId: `c-${f.run}-${n}`, userKey: `u-${f.run}-${n}` });
      await f.recordAll([
        f.mode('human', { ...who('held'), occurredAt: base + HOUR }),
        f.mode('bot', { ...who('held'), occurredAt: base + 2 * HOUR }),
        f.mode('human', { ...who('held'), occurredAt: base + 3 * HOUR }),
        f.mode('human', { ...who('back'), occurredAt: base + HOUR }),
        f.mode('bot', { ...who('back'), occurredAt: base + 2 * HOUR }),
        f.message({ ...who('held'), receivedAt: base + 2 * DAY }),
        f.message({ ...who('back'), receivedAt: base + 2 * DAY + 1 }),
      ]);

      let batches = 0;
      while ((await f.store.deleteBefore(base + DAY, 1)) > 0) expect(++batches).toBeLessThan(50);

      // Four of the five switches went; the held conversation is still with a person.
      expect(batches).toBe(4);
      const page = await f.store.conversations({ from: base + DAY, to: base + 3 * DAY, limit: 10 });
      expect(Object.fromEntries(page.items.map((c) => [c.id.split('-').at(-1), c.mode]))).toEqual({ held: 'human', back: 'bot' });
    });
  });
}
