import { describe, expect, it } from 'vitest';
import { anAdminApp } from '../../support/admin-app.js';
import { seedExchange } from '../../support/admin-seed.js';
import { conversationIdFor } from '../../../src/domain/model/ids.js';
import { randomUUID } from 'node:crypto';

const DAY = 24 * 3600_000;

interface Spec {
  id: string;
  labels: string[];
  series: { label: string; data: (number | null)[] }[];
}

const chartsOf = (html: string): Spec[] =>
  [...html.matchAll(/data-chart="([^"]+)"/g)].map(([, json]) => JSON.parse(json!.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>')) as Spec);

describe('admin pages', () => {
  it('shows the summary and one chart per topic with the daily values of the range', async () => {
    const { signedIn, chat, analytics, clock } = await anAdminApp();
    const today = Math.floor(clock.now() / DAY) * DAY;
    await seedExchange({ chat, analytics }, { receivedAt: today + 3600_000, latencyMs: 1200, usage: { prompt: 300, completion: 50 }, costUsd: 0.25 });
    await seedExchange({ chat, analytics }, { receivedAt: today + 2 * 3600_000, latencyMs: 800, usage: { prompt: 200, completion: 40 }, costUsd: 0.5 });
    await seedExchange({ chat, analytics }, { receivedAt: today - 2 * DAY, failed: true });
    const html = await (await (await signedIn()).get('/admin?days=7')).text();
    expect(html).toContain('Messages in');
    expect(html).toContain('$0.75');
    // Three conversations in the range: the failed one cost nothing, the others $0.25 and $0.50.
    expect(html).toContain('Cost per conversation p50 / p95');
    expect(html).toContain('$0.2500 / $0.5000');
    const charts = chartsOf(html);
    expect(charts.map((c) => c.id)).toEqual(['messages', 'latency', 'tokens', 'failures']);
    const [messages, latency, tokens, failures] = charts as [Spec, Spec, Spec, Spec];
    expect(messages.labels).toHaveLength(7);
    expect(messages.labels.at(-1)).toBe('2026-11-25');
    expect(messages.series[0]!.data).toEqual([0, 0, 0, 0, 1, 0, 2]);
    expect(messages.series[1]!.data).toEqual([0, 0, 0, 0, 0, 0, 2]);
    expect(latency.series[0]!.data.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(latency.series[2]!.data[6]).toBeCloseTo(1200, -1);
    expect(tokens.series.map((s) => s.data[6])).toEqual([500, 90, 0.75]);
    expect(failures.series[0]!.data).toEqual([0, 0, 0, 0, 1, 0, 0]);
    expect(html).toContain('model_unavailable');
  });

  it('shows the agent replies of the range beside the reply counts, with those that did not end as sent', async () => {
    const { signedIn, chat, analytics, clock } = await anAdminApp();
    const { conversationId } = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - 3600_000 });
    const reply = (outcome: 'sent' | 'failed' | 'send-unknown', occurredAt: number) => {
      const replyId = `ar_${randomUUID()}`;
      return analytics.record({ type: 'agent-reply', eventId: `agent-reply:${replyId}`, occurredAt, channel: 'whatsapp', accountId: 'phone-1', conversationId, userKey: 'u-agent', replyId, outcome, latencyMs: 500 });
    };
    for (const outcome of ['sent', 'sent', 'failed', 'send-unknown'] as const) await reply(outcome, clock.now() - 1800_000);
    await reply('sent', clock.now() - 30 * DAY);

    const html = await (await (await signedIn()).get('/admin?days=7')).text();

    expect(html).toMatch(/<span>Answered<\/span><strong>1<\/strong><\/div><div class="stat"><span>Agent replies<\/span><strong>4 \(1 failed, 1 unknown\)<\/strong>/);
  });

  it('shows the tool calls of the range next to the agent replies, with those that failed or whose answer was lost', async () => {
    const { signedIn, chat, analytics, clock } = await anAdminApp();
    const { conversationId } = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - 3600_000 });
    const call = (outcome: 'ok' | 'failed' | 'unknown' | 'invalid', occurredAt: number) => {
      const callId = `tc_${randomUUID()}`;
      return analytics.record({ type: 'tool-call', eventId: `tool:${callId}`, occurredAt, channel: 'whatsapp', accountId: 'phone-1', conversationId, userKey: 'u-tools', callId, messageId: 'm-1', tool: 'order_status', outcome, latencyMs: 90 });
    };
    for (const outcome of ['ok', 'ok', 'ok', 'failed', 'failed', 'unknown', 'invalid'] as const) await call(outcome, clock.now() - 1800_000);
    await call('failed', clock.now() - 30 * DAY);

    const html = await (await (await signedIn()).get('/admin?days=7')).text();

    expect(html).toMatch(/<span>Agent replies<\/span><strong>0<\/strong><\/div><div class="stat"><span>Tool calls<\/span><strong>7 \(2 failed, 1 unknown\)<\/strong>/);
  });

  it('pages through conversations with a cursor, newest first', async () => {
    const { signedIn, chat, analytics, clock } = await anAdminApp();
    for (let i = 0; i < 30; i++) await seedExchange({ chat, analytics }, { receivedAt: clock.now() - (i + 1) * 60_000 });
    const browser = await signedIn();
    const first = await (await browser.get('/admin/conversations')).text();
    const links = (html: string) => [...html.matchAll(/data-conversation="([^"]+)"/g)].map((m) => m[1]);
    expect(links(first)).toHaveLength(25);
    const next = /href="([^"]+)" rel="next"/.exec(first)![1]!.replaceAll('&amp;', '&');
    const second = await (await browser.get(next)).text();
    expect(links(second)).toHaveLength(5);
    expect(new Set([...links(first), ...links(second)]).size).toBe(30);
    expect(second).not.toContain('rel="next"');
    expect(second).toContain('First page');
  });

  it('lists each conversation with who it is with (masked) and their profile name, tokens, both costs and the last delivery', async () => {
    const { signedIn, chat, analytics, clock } = await anAdminApp();
    await seedExchange({ chat, analytics }, { receivedAt: clock.now() - 60_000, participantId: '4917012344567', usage: { prompt: 1234, completion: 56 }, costUsd: 0.5 });
    const html = await (await (await signedIn()).get('/admin/conversations')).text();
    expect(html).toContain('+49 170 •••• 4567 · Ada');
    expect(html).not.toContain('4917012344567');
    expect(html).toContain('1,234 / 56');
    expect(html).toContain('$0.5000 ($0.5000 / $0.00)');
    expect(/data-delivery[^>]*>([^<]*)</.exec(html)?.[1]).toBe("—");
  });

  it('lists only the channel asked for, and keeps the filter when paging', async () => {
    const { signedIn, chat, analytics, clock } = await anAdminApp();
    const whatsapp = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - 60_000 });
    const apiConversation = conversationIdFor('api', 'default', 'user:u-1');
    await analytics.record({
      type: 'message', eventId: `message:api:${randomUUID()}`, occurredAt: clock.now() - 30_000, receivedAt: clock.now() - 30_000, channel: 'api', accountId: 'default',
      conversationId: apiConversation, userKey: 'u-api', messageId: randomUUID(), messageType: 'text', outcome: 'sent', usage: { prompt: 1, completion: 1 }, costUsd: 0,
    });
    const browser = await signedIn();
    const links = (html: string) => [...html.matchAll(/data-conversation="([^"]+)"/g)].map((m) => m[1]);

    expect(links(await (await browser.get('/admin/conversations')).text())).toEqual([apiConversation, whatsapp.conversationId]);
    const api = await (await browser.get('/admin/conversations?channel=api')).text();
    expect(links(api)).toEqual([apiConversation]);
    expect(api).toContain('<strong>api</strong>');
    expect(links(await (await browser.get('/admin/conversations?channel=whatsapp&days=7')).text())).toEqual([whatsapp.conversationId]);
    // An unknown channel lists them all.
    expect(links(await (await browser.get('/admin/conversations?channel=sms')).text())).toHaveLength(2);
  });

  it("shows each reply's delivery as WhatsApp's ticks", async () => {
    const { signedIn, chat, analytics, clock } = await anAdminApp();
    const seeded = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - 60_000 });
    const record = await chat.findMessage(seeded.conversationId, seeded.messageId);
    await chat.applyStatus({
      outboundId: record!.outboundIds[0]!, channel: 'whatsapp', accountId: record!.message.accountId, conversationId: seeded.conversationId,
      recipientId: record!.message.participant.id, status: 'read', at: clock.now(),
    });

    const html = await (await (await signedIn()).get(`/admin/conversations/${seeded.conversationId}`)).text();

    expect(html).toContain('<span class="ticks" data-delivery="read" title="read">✓✓</span>');
  });

  it('shows a transcript with the messages and the replies, escaped', async () => {
    const { signedIn, chat, analytics, clock, logText } = await anAdminApp();
    const seeded = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - 60_000, text: 'Do you open on <b>Sunday</b>?', replyText: 'Yes, from 8 to 12.' });
    const html = await (await (await signedIn()).get(`/admin/conversations/${seeded.conversationId}`)).text();
    expect(html).toContain('Do you open on &lt;b&gt;Sunday&lt;/b&gt;?');
    expect(html).toContain('Yes, from 8 to 12.');
    expect(html).toContain('gpt-4o-mini');
    expect(logText()).not.toContain('Sunday');
    expect(logText()).not.toContain(seeded.replyText);
  });

  it('answers 404 with a page for an unknown conversation', async () => {
    const { signedIn } = await anAdminApp();
    const response = await (await signedIn()).get('/admin/conversations/c_nothing');
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('This conversation does not exist');
  });

  it('shows a bad cursor as a 400 page, not a 500', async () => {
    const { signedIn } = await anAdminApp();
    const response = await (await signedIn()).get('/admin/conversations?cursor=garbage');
    expect(response.status).toBe(400);
  });
});
