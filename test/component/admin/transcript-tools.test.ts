import { describe, expect, it } from 'vitest';
import type { ToolCallRecord } from '../../../src/domain/model/tool-call.js';
import { anAdminApp } from '../../support/admin-app.js';
import { seedExchange } from '../../support/admin-seed.js';

const usage = { prompt: 10, completion: 2 };
const call = (fields: Partial<ToolCallRecord> & Pick<ToolCallRecord, 'callId' | 'state'>): ToolCallRecord => ({ modelCallId: `model-${fields.callId}`, name: 'order_status', arguments: {}, startedAt: 0, ...fields });

describe('tool calls in the dashboard transcript', () => {
  it('shows each call between the message and its reply: the tool, a clear state, the latency, and its arguments and answer folded away, escaped', async () => {
    const { signedIn, chat, analytics, clock } = await anAdminApp();
    const startedAt = clock.now() - 59_000;
    const calls = [
      call({ callId: 'tc_ok', state: 'ok', arguments: { orderNumber: '<b>123456</b>' }, startedAt, latencyMs: 1234, answer: '{"status":"<script>alert(1)</script>"}' }),
      call({ callId: 'tc_lost', name: 'refund', state: 'unknown', startedAt, latencyMs: 5000, reason: 'tool_outcome_unknown' }),
      call({ callId: 'tc_503', name: 'refund', state: 'failed', startedAt, latencyMs: 80, reason: 'tool_http_503' }),
      call({ callId: 'tc_bad', name: 'nope', state: 'invalid', startedAt, arguments: 'not json <i>', reason: 'tool_unknown' }),
    ];
    const seeded = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - 60_000, text: 'Where is my order?', replyText: 'It has shipped.', toolRounds: [{ model: 'gpt-4o-mini', usage, text: '', calls }] });
    const browser = await signedIn();

    const page = await (await browser.get(`/admin/conversations/${seeded.conversationId}`)).text();

    const exchange = page.slice(page.indexOf(`data-message="${seeded.messageId}"`));
    const at = (text: string) => exchange.indexOf(text);
    expect(at('Where is my order?')).toBeGreaterThan(-1);
    expect(at('data-tool-call="tc_ok"')).toBeGreaterThan(at('Where is my order?'));
    expect(at('data-tool-call="tc_bad"')).toBeGreaterThan(at('data-tool-call="tc_ok"'));
    expect(at('It has shipped.')).toBeGreaterThan(at('data-tool-call="tc_bad"'));

    const entry = (callId: string) => exchange.slice(at(`data-tool-call="${callId}"`), exchange.indexOf('</details>', at(`data-tool-call="${callId}"`)));
    expect(entry('tc_ok')).toContain('<code>order_status</code> · ok');
    expect(entry('tc_ok')).toContain('1,234 ms');
    expect(entry('tc_ok')).toMatch(/<details><summary>Arguments and answer<\/summary>/);
    expect(entry('tc_ok')).toContain('&quot;orderNumber&quot;: &quot;&lt;b&gt;123456&lt;/b&gt;&quot;');
    expect(entry('tc_ok')).toContain('&quot;status&quot;: &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
    expect(entry('tc_lost')).toContain('<code>refund</code> · outcome unknown — not repeated: tool_outcome_unknown');
    expect(entry('tc_lost')).toContain('5,000 ms');
    expect(entry('tc_503')).toContain(' · failed: tool_http_503');
    expect(entry('tc_bad')).toContain(' · invalid — not made: tool_unknown');
    expect(entry('tc_bad')).toContain('<pre>not json &lt;i&gt;</pre>');
    expect(entry('tc_bad')).not.toContain('Answer');
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toContain('<b>123456');
    expect(page).not.toContain('model-tc_ok');
  });

  it('shows no tool entry for a message whose reply called no tool', async () => {
    const { signedIn, chat, analytics, clock } = await anAdminApp();
    const seeded = await seedExchange({ chat, analytics }, { receivedAt: clock.now() - 60_000 });
    const page = await (await (await signedIn()).get(`/admin/conversations/${seeded.conversationId}`)).text();
    expect(page).toContain(seeded.replyText);
    expect(page).not.toContain('data-tool-call');
  });
});
