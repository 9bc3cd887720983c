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
