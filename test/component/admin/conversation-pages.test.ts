import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { userKeyFor } from '../../../src/domain/model/ids.js';
import { anAdminApp } from '../../support/admin-app.js';
import { seedExchange } from '../../support/admin-seed.js';

const links = (html: string) => [...html.matchAll(/data-conversation="([^"]+)"/g)].map((m) => m[1]);
const unescape = (href: string) => href.replaceAll('&amp;', '&');

describe('admin conversation list filters and the conversation page', () => {
  it('filters the list by mode, last delivery and a search of the number or name, and keeps every filter when paging', async () => {
    const { signedIn, chat, analytics, clock } = await anAdminApp();
    const taken: string[] = [];
    for (let i = 0; i < 60; i++) {
      const participantId = `491701234${String(i).padStart(3, '0')}`;
      const seeded = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - (i + 1) * 60_000, participantId });
      if (i % 2 === 0) {
        taken.push(seeded.conversationId);
        await analytics.record({
          type: 'mode', eventId: `mode:${randomUUID()}`, occurredAt: clock.now() - 10_000, channel: 'whatsapp', accountId: 'phone-1',
          conversationId: seeded.conversationId, userKey: userKeyFor('whatsapp', 'phone-1', participantId), mode: 'human',
        });
      }
    }
    const browser = await signedIn();

    const all = await (await browser.get('/admin/conversations')).text();
    expect(all).toContain('data-mode="human"');
    expect(all).toContain('<option value="human">person</option>');
    const first = await (await browser.get('/admin/conversations?mode=human&days=7&channel=whatsapp')).text();
    expect(first).toContain('<option value="human" selected="">person</option>');
    expect(links(first)).toEqual(taken.slice(0, 25));
    const next = unescape(/href="([^"]+)" rel="next"/.exec(first)![1]!);
    expect(next).toContain('mode=human');
    expect(next).toContain('channel=whatsapp');
    expect(next).toContain('days=7');
    expect(links(await (await browser.get(next)).text())).toEqual(taken.slice(25));

    // The masked numbers end in 4000…4059: the last four digits find one.
    expect(links(await (await browser.get('/admin/conversations?q=4007')).text())).toHaveLength(1);
    expect(links(await (await browser.get('/admin/conversations?q=4007&mode=human')).text())).toEqual([]);
    expect(links(await (await browser.get(`/admin/conversations?q=${encodeURIComponent('+49 170')}`)).text())).toHaveLength(25);
    expect(links(await (await browser.get('/admin/conversations?q=ada')).text())).toHaveLength(25);
    expect(links(await (await browser.get('/admin/conversations?outcome=failed')).text())).toEqual([]);
    // Unknown filter values are ignored, never an error page.
    const ignored = await browser.get('/admin/conversations?mode=robot&outcome=lost&q=');
    expect(ignored.status).toBe(200);
    expect(links(await ignored.text())).toHaveLength(25);
  });

  it("shows a conversation's cost, tokens, mode and last delivery beside its transcript, and pages through a long transcript", async () => {
    const { signedIn, chat, analytics, clock } = await anAdminApp();
    const participantId = '4917012344567';
    let conversationId = '';
    for (let i = 0; i < 60; i++) {
      const seeded = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - (60 - i) * 60_000, participantId, text: `Question number ${i}`, usage: { prompt: 10, completion: 2 }, costUsd: 0.01 });
      conversationId = seeded.conversationId;
    }
    const browser = await signedIn();

    const first = await (await browser.get(`/admin/conversations/${conversationId}`)).text();
    expect(first).toContain('+49 170 •••• 4567');
    expect(first).not.toContain(participantId);
    expect(first).toContain('600 / 120');
    expect(/data-cost[^>]*>([^<]*)</.exec(first)?.[1]).toBe('$0.6000 ($0.6000 / $0.00)');
    expect(first).toContain('the bot answers');
    expect(first).toContain('Question number 0');
    expect(first).toContain('Question number 49');
    expect(first).not.toContain('Question number 50');
    const next = unescape(/href="([^"]+)" rel="next"/.exec(first)![1]!);
    const second = await (await browser.get(next)).text();
    expect(second).toContain('Question number 50');
    expect(second).toContain('Question number 59');
    expect(second).not.toContain('Question number 49');
    expect(second).not.toContain('rel="next"');
    expect(second).toContain('First messages');
  });

  it('answers a transcript cursor it did not make with a 400 page', async () => {
    const { signedIn, chat, analytics, clock } = await anAdminApp();
    const seeded = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - 60_000 });

    const response = await (await signedIn()).get(`/admin/conversations/${seeded.conversationId}?cursor=garbage`);

    expect(response.status).toBe(400);
  });
});

describe('admin conversation list between two dates', () => {
  it("lists the conversations active between two local dates of the dashboard's time zone, swaps them when reversed, and ignores a date that is not one", async () => {
    const { signedIn, chat, analytics, clock } = await anAdminApp();
    const now = clock.now();
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const DAY = 24 * 3600_000;
    const today = Math.floor(now / DAY) * DAY;
    // 16:00 UTC four days ago is already the next day in Tokyo (UTC+9).
    const late = await seedExchange({ chat, analytics }, { receivedAt: today - 4 * DAY + 16 * 3600_000 });
    const older = await seedExchange({ chat, analytics }, { receivedAt: today - 10 * DAY + 3600_000 });
    const recent = await seedExchange({ chat, analytics }, { receivedAt: now - 60_000 });
    const browser = await signedIn();
    const listed = async (query: string) => links(await (await browser.get(`/admin/conversations?${query}`)).text());
    const fourDaysAgo = day(today - 4 * DAY);
    const threeDaysAgo = day(today - 3 * DAY);

    expect(await listed(`from=${fourDaysAgo}&to=${fourDaysAgo}`)).toEqual([late.conversationId]);
    expect(await listed(`from=${threeDaysAgo}&to=${threeDaysAgo}&tz=Asia/Tokyo`)).toEqual([late.conversationId]);
    expect(await listed(`from=${fourDaysAgo}&to=${fourDaysAgo}&tz=Asia/Tokyo`)).toEqual([]);
    expect(await listed(`from=${day(today)}&to=${day(today - 11 * DAY)}&tz=UTC`)).toEqual([recent.conversationId, late.conversationId, older.conversationId]);
    expect(await listed(`from=${day(today - 5 * DAY)}`)).toEqual([recent.conversationId, late.conversationId]);
    const ignored = await browser.get('/admin/conversations?from=2026-02-31&to=yesterday&days=7');
    expect(ignored.status).toBe(200);
    expect(links(await ignored.text())).toEqual([recent.conversationId, late.conversationId]);
    const page = await (await browser.get(`/admin/conversations?from=${fourDaysAgo}&mode=bot`)).text();
    expect(page).toContain(`value="${fourDaysAgo}"`);
    expect(page).toContain(`Active since ${fourDaysAgo}`);
  });
});
