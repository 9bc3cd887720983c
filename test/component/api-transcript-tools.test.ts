import { describe, expect, it } from 'vitest';
import type { ToolCallRecord } from '../../src/domain/model/tool-call.js';
import { aMessage } from '../support/builders.js';
import { roleHarness, TEST_BOOTSTRAP_KEY } from '../support/role-harness.js';

const usage = { prompt: 10, completion: 2 };

describe('the transcript API with tool calls', () => {
  it('shows each tool call of a message (role tool) after the message and before its reply, the answer as stored', async () => {
    const h = await roleHarness();
    const message = aMessage({ receivedAt: h.clock.now() - 60_000, text: 'Where is order 123456?' });
    const { record } = await h.chatStore.register(message, h.clock.now());
    const startedAt = h.clock.now() - 59_000;
    const ok: ToolCallRecord = { callId: 'tc_1', modelCallId: 'call_a', name: 'order_status', arguments: { orderNumber: '123456' }, state: 'ok', startedAt, latencyMs: 120, answer: '{"status": "shipped"}' };
    const lost: ToolCallRecord = { callId: 'tc_2', modelCallId: 'call_b', name: 'refund', arguments: 'not json', state: 'unknown', startedAt: startedAt + 500, latencyMs: 5000, reason: 'tool_outcome_unknown' };
    const reply = { text: 'Order 123456 has shipped.', kind: 'ai' as const, model: 'gpt-4o-mini', usage, costUsd: 0.001, latencyMs: 900, createdAt: h.clock.now() - 58_000 };
    await h.chatStore.transition(message.conversationId, message.id, record.version, {
      state: 'answered',
      toolRounds: [{ model: 'gpt-4o-mini', usage, text: '', calls: [ok] }, { model: 'gpt-4o-mini', usage, text: '', calls: [lost] }],
      reply,
    });

    const res = await h.app.request(`/api/v1/conversations/${message.conversationId}/messages`, { headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}` } });

    expect(res.status).toBe(200);
    const text = await res.text();
    const [entry] = (JSON.parse(text) as { messages: Record<string, unknown>[] }).messages;
    expect(entry).toMatchObject({ role: 'user', text: 'Where is order 123456?', reply: { role: 'assistant', text: 'Order 123456 has shipped.' } });
    expect(entry!.toolCalls).toEqual([
      { role: 'tool', tool: 'order_status', callId: 'tc_1', arguments: { orderNumber: '123456' }, state: 'ok', answer: '{"status": "shipped"}', reason: null, latencyMs: 120, at: new Date(startedAt).toISOString() },
      { role: 'tool', tool: 'refund', callId: 'tc_2', arguments: 'not json', state: 'unknown', answer: null, reason: 'tool_outcome_unknown', latencyMs: 5000, at: new Date(startedAt + 500).toISOString() },
    ]);
    // In reading order: the message, the tools its completion called, then the reply.
    expect(text.indexOf('"role":"user"')).toBeLessThan(text.indexOf('"role":"tool"'));
    expect(text.lastIndexOf('"role":"tool"')).toBeLessThan(text.indexOf('"role":"assistant"'));
    // The model's own id of a call is no reader's business.
    expect(text).not.toContain('call_a');
  });

  it('shows no tool calls for a message whose completion called none', async () => {
    const h = await roleHarness();
    const message = aMessage({ receivedAt: h.clock.now(), text: 'Hello' });
    await h.chatStore.register(message, h.clock.now());

    const res = await h.app.request(`/api/v1/conversations/${message.conversationId}/messages`, { headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}` } });

    expect(((await res.json()) as { messages: Record<string, unknown>[] }).messages[0]!.toolCalls).toEqual([]);
  });
});
