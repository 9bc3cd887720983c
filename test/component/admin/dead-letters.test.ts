import { describe, expect, it } from 'vitest';
import { REPLAY_OF_ATTRIBUTE } from '../../../src/domain/use-cases/replay-dead-letter.js';
import { anAdminApp } from '../../support/admin-app.js';
import { csrfOf } from '../../support/admin-client.js';
import { aMessage } from '../../support/builders.js';
import { anInboundDeadLetter, anInteractionDeadLetter } from '../../support/dead-letters.js';

const SECRET_TEXT = 'Meine IBAN ist DE89 3704 0044 0532 0130 00';

describe('admin dead letters', () => {
  async function aDeadLettersPage() {
    const app = await anAdminApp();
    const message = aMessage({ text: SECRET_TEXT });
    const { letter } = await app.deadLetterStore.add(anInboundDeadLetter({ message, deadLetteredAt: Date.UTC(2026, 10, 25, 9, 30) }));
    const { letter: interaction } = await app.deadLetterStore.add(anInteractionDeadLetter(message, Date.UTC(2026, 10, 25, 8, 0)));
    const browser = await app.signedIn();
    const token = csrfOf(await (await browser.get('/admin/dead-letters')).text());
    const replay = (id: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) =>
      browser.post(`/admin/dead-letters/${id}/replay`, { _csrf: token, ...fields }, headers);
    return { ...app, browser, token, letter, interaction, replay };
  }

  it('lists topic, time, attempts, conversation and replay state, newest first, never the message text', async () => {
    const { browser, letter, interaction } = await aDeadLettersPage();

    const html = await (await browser.get('/admin/dead-letters')).text();

    expect(html).toContain('aria-current="page">Dead letters</a>');
    const rows = [...html.matchAll(/<tr data-dead-letter="([^"]+)">(.*?)<\/tr>/gs)].map(([, id, row]) => ({ id, cells: [...row!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim()) }));
    expect(rows.map((r) => r.id)).toEqual([letter.id, interaction.id]);
    expect(rows[0]!.cells.slice(0, 5)).toEqual(['2026-11-25 09:30 UTC', 'inbound', letter.conversationId, '5', 'never']);
    expect(rows[1]!.cells.slice(0, 5)).toEqual(['2026-11-25 08:00 UTC', 'interactions', letter.conversationId, '—', 'never']);
    expect(rows[0]!.cells[5]).toBe('Replay');
    expect(html).not.toContain('IBAN');
  });

  it('replays a letter with the form token: it is published on its topic and then shown as replayed', async () => {
    const { browser, replay, letter, bus, clock, logText } = await aDeadLettersPage();

    const response = await replay(letter.id);

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/dead-letters?done=dead-letter-replayed');
    expect(bus.published('inbound')).toEqual([{ event: letter.event, orderingKey: letter.conversationId, attributes: { ...letter.attributes, [REPLAY_OF_ATTRIBUTE]: letter.id } }]);
    const page = await (await browser.get('/admin/dead-letters?done=dead-letter-replayed')).text();
    expect(page).toContain('The message was published again on its topic.');
    expect(page).toContain(`2026-11-25 12:00 UTC (1×)`);
    expect(page).toContain('Replay again');
    expect(clock.now()).toBe(Date.UTC(2026, 10, 25, 12, 0));
    expect(logText()).toContain('admin replayed a dead letter');
    expect(logText()).not.toContain('IBAN');
  });

  it('says it was already replayed and publishes nothing when the same letter is replayed twice; a forced replay publishes once more', async () => {
    const { browser, replay, letter, bus } = await aDeadLettersPage();
    await replay(letter.id);

    const second = await replay(letter.id);

    expect(second.status).toBe(303);
    expect(second.headers.get('location')).toBe('/admin/dead-letters?done=dead-letter-already-replayed');
    expect(await (await browser.get(second.headers.get('location')!)).text()).toContain('This dead letter was already replayed; nothing was published.');
    expect(bus.published('inbound')).toHaveLength(1);

    const forced = await replay(letter.id, { force: 'on' });
    expect(forced.headers.get('location')).toBe('/admin/dead-letters?done=dead-letter-replayed');
    expect(bus.published('inbound')).toHaveLength(2);
    expect(await (await browser.get('/admin/dead-letters')).text()).toContain('(2×)');
  });

  it.each([
    ['from another site', {}, { origin: 'https://evil.example' }, 'This request came from another site'],
    ['cross-site by Sec-Fetch-Site', {}, { 'sec-fetch-site': 'cross-site' }, 'This request came from another site'],
    ['without the form token', { _csrf: '' }, {}, 'security token is missing or out of date'],
  ] as [string, Record<string, string>, Record<string, string>, string][])('refuses a replay %s: 403 and nothing is published', async (_case, fields, headers, says) => {
    const { replay, letter, bus, deadLetterStore } = await aDeadLettersPage();
    const response = await replay(letter.id, fields, headers);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain(says);
    expect(bus.empty).toBe(true);
    expect((await deadLetterStore.get(letter.id))?.replays).toBe(0);
  });

  it('answers 404 for a letter that does not exist and 503 when the bus refuses, marking nothing', async () => {
    const { replay, letter, bus, deadLetterStore } = await aDeadLettersPage();
    const missing = await replay('00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('nothing was published');

    bus.failNextPublishes(1);
    const refused = await replay(letter.id);
    expect(refused.status).toBe(503);
    expect(await refused.text()).toContain('could not be published, and nothing was marked');
    expect((await deadLetterStore.get(letter.id))?.replays).toBe(0);
  });

  it('pages older letters behind a cursor, and refuses a cursor it did not make', async () => {
    const { browser, deadLetterStore } = await aDeadLettersPage();
    await Promise.all(Array.from({ length: 50 }, (_, i) => deadLetterStore.add(anInboundDeadLetter({ deadLetteredAt: Date.UTC(2026, 10, 25, 10, i) }))));

    const first = await (await browser.get('/admin/dead-letters')).text();
    const next = /<a href="([^"]+)" rel="next">/.exec(first)?.[1]?.replaceAll('&amp;', '&');
    expect(first.match(/<tr data-dead-letter=/g)).toHaveLength(50);
    const second = await (await browser.get(next!)).text();
    expect(second.match(/<tr data-dead-letter=/g)).toHaveLength(2);
    expect(second).not.toContain('rel="next"');

    expect((await browser.get('/admin/dead-letters?cursor=bogus')).status).toBe(400);
  });
});
