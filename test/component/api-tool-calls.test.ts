import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ToolCallCounts } from '../../src/domain/model/analytics.js';
import { conversationIdFor, userKeyFor, type Channel } from '../../src/domain/model/ids.js';
import type { MessageInteraction, ToolCallInteraction } from '../../src/domain/model/interaction.js';
import { aPushEnvelope, pushRequest } from '../support/pubsub-envelope.js';
import { roleHarness, TEST_BOOTSTRAP_KEY, type RoleHarness } from '../support/role-harness.js';

const HOUR = 3600 * 1000;
const get = (h: RoleHarness, path: string) => h.app.request(path, { headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}` } });
const json = async <T>(h: RoleHarness, path: string): Promise<T> => {
  const res = await get(h, path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};
/** Through the push endpoint, so the bus codec decodes each fact as it would in production. */
async function ingest(h: RoleHarness, ...events: unknown[]): Promise<void> {
  for (const event of events) expect((await h.app.request('/internal/pubsub/interactions', pushRequest(aPushEnvelope(event)))).status).toBe(204);
}

/** Someone's conversation, a message from them at `receivedAt`, and the tools the model called answering it. */
function aConversation(channel: Channel, participant: string, receivedAt: number) {
  const accountId = channel === 'api' ? 'default' : 'phone-1';
  const base = { channel, accountId, conversationId: conversationIdFor(channel, accountId, participant), userKey: userKeyFor(channel, accountId, participant) };
  const messageId = `m-${randomUUID()}`;
  const message: MessageInteraction = {
    type: 'message',
    eventId: `message:${channel}:${messageId}`,
    occurredAt: receivedAt + 1000,
    ...base,
    messageId,
    messageType: 'text',
    receivedAt,
    outcome: 'sent',
    usage: { prompt: 10, completion: 2 },
    costUsd: 0.001,
  };
  const call = (outcome: ToolCallInteraction['outcome'], occurredAt: number, latencyMs?: number): ToolCallInteraction => {
    const callId = `${messageId}:tc_${randomUUID()}`;
    return { type: 'tool-call', eventId: `tool:${callId}`, occurredAt, ...base, callId, messageId, tool: 'order_status', outcome, ...(latencyMs === undefined ? {} : { latencyMs }) };
  };
  return { id: base.conversationId, message, call };
}

describe('API tool calls', () => {
  it('counts tool calls by outcome with their latency in the summary, and per conversation in the list and the CSV, by channel', async () => {
    const h = await roleHarness();
    const now = h.clock.now();
    const ada = aConversation('whatsapp', '491701234567', now - 2 * HOUR);
    const bob = aConversation('whatsapp', '447700900123', now - 2 * HOUR + 1);
    const cy = aConversation('api', `cy-${randomUUID()}`, now - 2 * HOUR + 2);
    const ok = ada.call('ok', now - HOUR, 120);
    await ingest(
      h,
      ada.message,
      bob.message,
      cy.message,
      ok,
      ok,
      { ...ada.call('failed', now - HOUR + 1, 300), failureReason: 'tool_http_503' },
      { ...ada.call('unknown', now - HOUR + 2, 8000), failureReason: 'tool_outcome_unknown' },
      { ...cy.call('invalid', now - HOUR), failureReason: 'tool_arguments_invalid' },
      cy.call('ok', now - HOUR + 3, 40),
      // Malformed: refused by the codec, so never counted.
      { ...ada.call('ok', now - HOUR, 10), outcome: 'calling' },
      { ...ada.call('ok', now - HOUR, 10), callId: '' },
    );

    const summary = await json<{ toolCalls: ToolCallCounts; messagesIn: number; messagesOut: number; failures: { total: number } }>(h, '/api/v1/analytics/summary');
    expect(summary).toMatchObject({ messagesIn: 3, messagesOut: 3, failures: { total: 0 } });
    expect(summary.toolCalls).toEqual({ total: 5, ok: 2, failed: 1, unknown: 1, invalid: 1, latencyMs: { p50: 120, p95: 8000 } });
    expect((await json<{ toolCalls: ToolCallCounts }>(h, '/api/v1/analytics/summary?channel=api')).toolCalls).toEqual({ total: 2, ok: 1, failed: 0, unknown: 0, invalid: 1, latencyMs: { p50: 40, p95: 40 } });
    expect((await json<{ toolCalls: ToolCallCounts }>(h, `/api/v1/analytics/summary?to=${now - HOUR}`)).toolCalls).toEqual({ total: 0, ok: 0, failed: 0, unknown: 0, invalid: 0, latencyMs: { p50: 0, p95: 0 } });

    const list = await json<{ items: { id: string; toolCalls: number }[] }>(h, '/api/v1/conversations');
    expect(Object.fromEntries(list.items.map((c) => [c.id, c.toolCalls]))).toEqual({ [ada.id]: 3, [bob.id]: 0, [cy.id]: 2 });
    const whatsapp = await json<{ items: { id: string; toolCalls: number }[] }>(h, '/api/v1/conversations?channel=whatsapp');
    expect(Object.fromEntries(whatsapp.items.map((c) => [c.id, c.toolCalls]))).toEqual({ [ada.id]: 3, [bob.id]: 0 });

    const [header, ...rows] = (await (await get(h, '/api/v1/export/conversations.csv')).text()).trim().split('\r\n');
    const columns = header!.split(',');
    expect(columns.slice(-3)).toEqual(['mode', 'agent_replies', 'tool_calls']);
    const csv = Object.fromEntries(rows.map((row) => row.split(',')).map((cells) => [cells[0], cells.at(-1)]));
    expect(csv).toEqual({ [ada.id]: '3', [bob.id]: '0', [cy.id]: '2' });
  });

  it("erases a participant's tool calls with their conversation", async () => {
    const h = await roleHarness();
    const now = h.clock.now();
    const participant = `4917${Date.now()}`;
    const ada = aConversation('whatsapp', participant, now - 2 * HOUR);
    const bob = aConversation('whatsapp', '447700900123', now - 2 * HOUR + 1);
    await ingest(h, ada.message, ada.call('ok', now - HOUR, 50), ada.call('failed', now - HOUR, 70), bob.message, bob.call('ok', now - HOUR, 90));

    const res = await h.app.request('/api/v1/erasures', {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'whatsapp', accountId: 'phone-1', participantId: participant }),
    });

    expect(res.status).toBe(200);
    expect((await json<{ toolCalls: ToolCallCounts }>(h, '/api/v1/analytics/summary')).toolCalls).toEqual({ total: 1, ok: 1, failed: 0, unknown: 0, invalid: 0, latencyMs: { p50: 90, p95: 90 } });
    // A late redelivery of a call made before the erasure stays out.
    await ingest(h, ada.call('ok', now - HOUR + 5, 60));
    expect((await json<{ toolCalls: ToolCallCounts }>(h, '/api/v1/analytics/summary')).toolCalls.total).toBe(1);
  });

  it('documents the tool call counts in the OpenAPI description of the summary and of a listed conversation', async () => {
    const h = await roleHarness();
    const doc = (await (await h.app.request('/openapi.json')).json()) as { components: { schemas: Record<string, { properties: Record<string, { type?: string; properties?: Record<string, { properties?: Record<string, unknown> }>; description?: string }> }> } };

    const { Summary, ConversationSummary } = doc.components.schemas;
    expect(Object.keys(Summary!.properties.toolCalls!.properties!)).toEqual(['total', 'ok', 'failed', 'unknown', 'invalid', 'latencyMs']);
    expect(Object.keys(Summary!.properties.toolCalls!.properties!.latencyMs!.properties!)).toEqual(['p50', 'p95']);
    expect(Summary!.properties.toolCalls!.description).toContain('tools the model called');
    expect(ConversationSummary!.properties.toolCalls).toMatchObject({ type: 'integer' });
  });
});
