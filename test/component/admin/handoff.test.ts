import { describe, expect, it } from 'vitest';
import { SERVICE_WINDOW_MS } from '../../../src/domain/use-cases/accept-agent-reply.js';
import { anAdminApp, ADMIN_EMAIL } from '../../support/admin-app.js';

/** The agent's name on the dashboard: the address's local part (a staff address never reaches the model or the customer). */
const AGENT = ADMIN_EMAIL.split('@')[0]!;
import type { AdminClient } from '../../support/admin-client.js';
import { seedExchange } from '../../support/admin-seed.js';
import { aMessage } from '../../support/builders.js';

const PARTICIPANT = '4917012344567';

/** The fields of the page's form posting to `action` (hidden inputs and the textarea's name), as the browser would send them. */
function formFields(html: string, action: string): Record<string, string> {
  const form = new RegExp(`<form[^>]*action="${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
  if (!form) throw new Error(`no form posting to ${action} on the page`);
  return Object.fromEntries([...form[1]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

const formsTo = (html: string, action: string) => [...html.matchAll(new RegExp(`<form[^>]*action="${action}"`, 'g'))].length;

async function aConversation(receivedAt?: number) {
  const app = await anAdminApp();
  const seeded = await seedExchange({ chat: app.chat, analytics: app.analytics }, { receivedAt: receivedAt ?? app.clock.now() - 60_000, participantId: PARTICIPANT });
  const browser = await app.signedIn();
  const path = `/admin/conversations/${seeded.conversationId}`;
  const page = async () => (await browser.get(path)).text();
  return { ...app, seeded, browser, path, page };
}

/** Takes the conversation over with the page's own form. */
async function takeOver(browser: AdminClient, path: string): Promise<Response> {
  const html = await (await browser.get(path)).text();
  return browser.post(`${path}/handoff`, { ...formFields(html, `${path}/handoff`), action: 'take' });
}

describe('Human handoff on the dashboard', () => {
  it('takes a conversation over for the signed-in admin, who then gets the reply form and a hand-back button', async () => {
    const { browser, path, page, chat, bus, seeded } = await aConversation();
    const before = await page();
    expect(before).toContain('the bot answers');
    expect(before).toContain('Take over');
    expect(before).not.toContain('name="text"');

    const response = await takeOver(browser, path);

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${path}?done=taken-over`);
    const after = await (await browser.get(response.headers.get('location')!)).text();
    expect(after).toContain(`a person answers: ${AGENT}`);
    expect(after).toContain('You took this conversation over');
    expect(after).toContain('<textarea name="text"');
    expect(after).toContain('Hand back to the bot');
    expect(after).not.toContain('>Take over<');
    expect(await chat.handoff(seeded.conversationId)).toMatchObject({ mode: 'human', agent: AGENT });
    expect(JSON.stringify(await chat.handoff(seeded.conversationId))).not.toContain(ADMIN_EMAIL);
    expect(bus.events('interactions')).toContainEqual(expect.objectContaining({ type: 'mode', mode: 'human', conversationId: seeded.conversationId }));
  });

  it('stores and queues one reply when its form is posted twice with the same idempotency key, and shows it after the message it follows', async () => {
    const { browser, path, page, chat, bus, seeded } = await aConversation();
    await takeOver(browser, path);
    const form = formFields(await page(), `${path}/replies`);
    expect(form.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);

    const first = await browser.post(`${path}/replies`, { ...form, text: 'A person here:\r\nhow can I help?' });
    const second = await browser.post(`${path}/replies`, { ...form, text: 'A person here:\r\nhow can I help?' });

    expect([first.status, second.status]).toEqual([303, 303]);
    expect(first.headers.get('location')).toBe(`${path}?done=reply-queued`);
    const stored = await chat.agentReplies(seeded.conversationId, { limit: 10 });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ agent: AGENT, text: 'A person here:\nhow can I help?', inReplyTo: seeded.messageId, state: 'queued' });
    expect(bus.events('inbound')).toContainEqual(expect.objectContaining({ kind: 'agent-reply', replyId: stored[0]!.id }));
    const html = await page();
    const exchange = new RegExp(`<li class="exchange" data-message="${seeded.messageId}">([\\s\\S]*?)</li>`).exec(html)![1]!;
    expect(exchange).toContain(`data-agent-reply="${stored[0]!.id}" data-state="queued"`);
    expect(exchange).toContain(`${AGENT} (a person)`);
    // Each rendering of the form carries a key of its own: the next reply is another reply.
    expect(formFields(html, `${path}/replies`).idempotencyKey).not.toBe(form.idempotencyKey);
  });

  it('refuses a reply outside the 24 h window with a message on the page, and links to the channel settings when there is no template', async () => {
    const { browser, path, page, chat, clock, seeded } = await aConversation(Date.UTC(2026, 10, 25, 12) - SERVICE_WINDOW_MS - 60_000);
    expect(clock.now()).toBe(Date.UTC(2026, 10, 25, 12));
    await takeOver(browser, path);
    const html = await page();
    expect(html).not.toContain('<textarea name="text"');
    expect(html).toContain('data-no-template');
    expect(html).toContain('href="/admin/channels/edit?accountId=phone-1"');

    // A form from before the window closed, posted now.
    const response = await browser.post(`${path}/replies`, { _csrf: formFields(html, `${path}/handoff`)._csrf!, idempotencyKey: 'late-1', text: 'Still there?' });

    expect(response.status).toBe(409);
    const refused = await response.text();
    expect(refused).toContain('Not sent: the person last wrote more than 24 hours ago');
    expect(refused).toContain('role="alert"');
    expect(refused).not.toMatch(/Error|\bat \//);
    expect(await chat.agentReplies(seeded.conversationId, { limit: 10 })).toEqual([]);
  });

  it("offers the channel's window template outside the 24 h window and sends it", async () => {
    const { browser, path, page, chat, seeded } = await aConversation(Date.UTC(2026, 10, 25, 12) - SERVICE_WINDOW_MS - 60_000);
    await chat.saveChannelSettings({ accountId: 'phone-1', updatedAt: 0, windowTemplate: { name: 'reopen_chat', language: 'en' } });
    await takeOver(browser, path);
    const html = await page();
    expect(html).toContain('Send the window template (reopen_chat)');
    expect(html).not.toContain('<textarea name="text"');

    const response = await browser.post(`${path}/replies`, formFields(html, `${path}/replies`));

    expect(response.status).toBe(303);
    const [stored] = await chat.agentReplies(seeded.conversationId, { limit: 10 });
    expect(stored).toMatchObject({ template: { name: 'reopen_chat', language: 'en' }, agent: AGENT });
    expect(await page()).toContain('Template reopen_chat (en)');
  });

  it('hands a conversation back to the bot: the reply form is gone', async () => {
    const { browser, path, page, chat, seeded } = await aConversation();
    await takeOver(browser, path);

    const response = await browser.post(`${path}/handoff`, { ...formFields(await page(), `${path}/handoff`), action: 'release' });

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${path}?done=handed-back`);
    const html = await page();
    expect(html).toContain('the bot answers');
    expect(html).not.toContain('name="text"');
    expect(formsTo(html, `${path}/handoff`)).toBe(1);
    expect(await chat.handoff(seeded.conversationId)).toMatchObject({ mode: 'bot' });
  });

  it("answers the page's live poll with a message registered after the page was rendered and an agent reply's new state", async () => {
    const { browser, path, page, chat, clock, seeded } = await aConversation();
    await takeOver(browser, path);
    await browser.post(`${path}/replies`, { ...formFields(await page(), `${path}/replies`), text: 'One moment please' });
    const html = await page();
    const live = /data-live="([^"]+)"/.exec(html)![1]!;
    expect(live).toBe(`${path}/live`);
    expect(html).not.toContain('Is anyone there?');

    await chat.register(aMessage({ participant: { id: PARTICIPANT, name: 'Ada' }, text: 'Is anyone there?', receivedAt: clock.now() + 1_000 }), clock.now() + 1_000);
    const [reply] = await chat.agentReplies(seeded.conversationId, { limit: 1 });
    await chat.transitionAgentReply(seeded.conversationId, reply!.id, reply!.version, { state: 'sent', settledAt: clock.now() + 2_000 });
    const response = await browser.get(live);

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const fragment = await response.text();
    expect(fragment).toMatch(/^<ol class="transcript">/);
    expect(fragment).toContain('Is anyone there?');
    expect(fragment).toContain(`data-agent-reply="${reply!.id}" data-state="sent"`);
    expect((await (await anAdminApp()).client().get(live)).status).toBe(303);
  });

  it('polls only the latest page of a long transcript, with its cursor', async () => {
    const { chat, analytics, clock, signedIn } = await anAdminApp();
    let conversationId = '';
    for (let i = 0; i < 51; i++) ({ conversationId } = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - (60 - i) * 60_000, participantId: PARTICIPANT }));
    const browser = await signedIn();

    const first = await (await browser.get(`/admin/conversations/${conversationId}`)).text();
    expect(first).not.toContain('data-live');
    const next = /href="([^"]+)" rel="next"/.exec(first)![1]!.replaceAll('&amp;', '&');
    const latest = await (await browser.get(next)).text();
    const live = /data-live="([^"]+)"/.exec(latest)![1]!.replaceAll('&amp;', '&');
    expect(live).toBe(`/admin/conversations/${conversationId}/live?cursor=${next.split('cursor=')[1]}`);
    expect([...(await (await browser.get(live)).text()).matchAll(/<li class="exchange"/g)]).toHaveLength(1);
  });

  it('lists the conversations waiting for a person first on the conversation list, longest waiting first, with how long each has waited', async () => {
    const { chat, analytics, clock, deps, signedIn } = await anAdminApp();
    const waitingLonger = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - 60_000, participantId: PARTICIPANT });
    const waiting = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - 50_000, participantId: '447700900123' });
    const answered = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - 40_000, participantId: '447700900456' });
    await deps.handoff.change.execute(waitingLonger.conversationId, { kind: 'request', by: 'trigger' });
    clock.advance(5 * 60_000);
    await deps.handoff.change.execute(waiting.conversationId, { kind: 'request', by: 'tool' });
    clock.advance(7 * 60_000);
    const browser = await signedIn();

    const html = await (await browser.get('/admin/conversations')).text();

    const queue = /<section class="card needs-human"[\s\S]*?<\/section>/.exec(html)![0];
    expect(html.indexOf('Needs a human')).toBeLessThan(html.indexOf('<table'));
    expect([...queue.matchAll(/data-waiting="([^"]+)"/g)].map((m) => m[1])).toEqual([waitingLonger.conversationId, waiting.conversationId]);
    expect(queue).not.toContain(answered.conversationId);
    expect(queue).toContain('+49 170 •••• 4567 · Ada');
    expect(queue).not.toContain(PARTICIPANT);
    expect([...queue.matchAll(/data-waited="true">([^<]+)</g)].map((m) => m[1])).toEqual(['waiting 12 min', 'waiting 7 min']);
    const conversation = await (await browser.get(`/admin/conversations/${waiting.conversationId}`)).text();
    expect(conversation).toContain('Waiting for a person since 2026-11-25 12:05 UTC (7 min), asked for by the model.');
    expect(conversation).toContain('>Take over<');

    await takeOver(browser, `/admin/conversations/${waitingLonger.conversationId}`);
    const after = await (await browser.get('/admin/conversations')).text();
    expect([...after.matchAll(/data-waiting="([^"]+)"/g)].map((m) => m[1])).toEqual([waiting.conversationId]);
  });

  it('refuses a take over and a reply without the form token: 403, nothing changes', async () => {
    const { browser, path, chat, seeded } = await aConversation();

    const take = await browser.post(`${path}/handoff`, { action: 'take' });
    expect(take.status).toBe(403);
    expect(await chat.handoff(seeded.conversationId)).toMatchObject({ mode: 'bot' });

    await takeOver(browser, path);
    const reply = await browser.post(`${path}/replies`, { idempotencyKey: 'k-1', text: 'Hello' });
    expect(reply.status).toBe(403);
    expect(await chat.agentReplies(seeded.conversationId, { limit: 10 })).toEqual([]);
  });
});
