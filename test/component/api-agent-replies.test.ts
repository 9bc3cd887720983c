import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { conversationIdFor, userKeyFor, type Channel } from '../../src/domain/model/ids.js';
import type { AgentReplyInteraction, InteractionEvent, MessageInteraction } from '../../src/domain/model/interaction.js';
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
async function ingest(h: RoleHarness, ...events: InteractionEvent[]): Promise<void> {
  for (const event of events) expect((await h.app.request('/internal/pubsub/interactions', pushRequest(aPushEnvelope(event)))).status).toBe(204);
}

interface Counts {
  total: number;
  sent: number;
  failed: number;
  unknown: number;
}

/** Someone's conversation, a message from them at `receivedAt`, and the agent replies a person sent in it. */
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
  const reply = (outcome: AgentReplyInteraction['outcome'], occurredAt: number, failureReason?: AgentReplyInteraction['failureReason']): AgentReplyInteraction => {
    const replyId = `ar_${randomUUID()}`;
    return { type: 'agent-reply', eventId: `agent-reply:${replyId}`, occurredAt, ...base, replyId, outcome, ...(failureReason ? { failureReason } : {}), latencyMs: 640 };
  };
  return { id: base.conversationId, message, reply };
}

describe('API agent replies', () => {
  it('counts agent replies by outcome in the summary and per conversation in the list and the CSV, by channel, an unknown send settled once', async () => {
    const h = await roleHarness();
    const now = h.clock.now();
    const ada = aConversation('whatsapp', '491701234567', now - 2 * HOUR);
    const bob = aConversation('whatsapp', '447700900123', now - 2 * HOUR + 1);
    const cy = aConversation('api', `cy-${randomUUID()}`, now - 2 * HOUR + 2);
    const unknown = ada.reply('send-unknown', now - HOUR, 'send_outcome_unknown');
    const sent = ada.reply('sent', now - HOUR + 1);
    await ingest(h, ada.message, bob.message, cy.message, sent, sent, ada.reply('failed', now - HOUR + 2, 'outside_service_window'), unknown, cy.reply('sent', now - HOUR));
    expect((await json<{ agentReplies: Counts }>(h, '/api/v1/analytics/summary')).agentReplies).toEqual({ total: 4, sent: 2, failed: 1, unknown: 1 });

    // A later report of the same reply settles its unknown outcome.
    const { failureReason: _, ...settled } = { ...unknown, outcome: 'sent' as const, occurredAt: now - 10_000 };
    await ingest(h, settled, settled);

    const summary = await json<{ agentReplies: Counts; messagesIn: number; messagesOut: number }>(h, '/api/v1/analytics/summary');
    expect(summary).toMatchObject({ messagesIn: 3, messagesOut: 3, agentReplies: { total: 4, sent: 3, failed: 1, unknown: 0 } });
    expect((await json<{ agentReplies: Counts }>(h, '/api/v1/analytics/summary?channel=api')).agentReplies).toEqual({ total: 1, sent: 1, failed: 0, unknown: 0 });
    expect((await json<{ agentReplies: Counts }>(h, '/api/v1/analytics/summary?channel=whatsapp')).agentReplies).toEqual({ total: 3, sent: 2, failed: 1, unknown: 0 });
    expect((await json<{ agentReplies: Counts }>(h, `/api/v1/analytics/summary?to=${now - HOUR}`)).agentReplies.total).toBe(0);

    const list = await json<{ items: { id: string; agentReplies: number }[] }>(h, '/api/v1/conversations');
    expect(Object.fromEntries(list.items.map((c) => [c.id, c.agentReplies]))).toEqual({ [ada.id]: 3, [bob.id]: 0, [cy.id]: 1 });
    const whatsapp = await json<{ items: { id: string; agentReplies: number }[] }>(h, '/api/v1/conversations?channel=whatsapp');
    expect(Object.fromEntries(whatsapp.items.map((c) => [c.id, c.agentReplies]))).toEqual({ [ada.id]: 3, [bob.id]: 0 });

    const [header, ...rows] = (await (await get(h, '/api/v1/export/conversations.csv')).text()).trim().split('\r\n');
    const columns = header!.split(',');
    expect(columns.slice(-3)).toEqual(['mode', 'agent_replies', 'tool_calls']);
    const csv = Object.fromEntries(rows.map((row) => row.split(',')).map((cells) => [cells[0], cells[columns.indexOf('agent_replies')]]));
    expect(csv).toEqual({ [ada.id]: '3', [bob.id]: '0', [cy.id]: '1' });
  });

  it('counts agent replies by when their send ended in the local days of a date-only range in `tz`', async () => {
    const h = await roleHarness();
    // Berlin's 25 October 2026 (its clocks go back that night) is 22:00 UTC on the 24th to 23:00 UTC on the 25th.
    const ada = aConversation('whatsapp', `4917${Date.now()}`, Date.parse('2026-10-25T12:00:00Z'));
    await ingest(
      h,
      ada.message,
      ada.reply('sent', Date.parse('2026-10-24T22:30:00Z')),
      ada.reply('failed', Date.parse('2026-10-25T12:00:00Z'), 'outside_service_window'),
      ada.reply('send-unknown', Date.parse('2026-10-25T23:30:00Z'), 'send_outcome_unknown'),
    );

    const berlin = await json<{ agentReplies: Counts }>(h, '/api/v1/analytics/summary?from=2026-10-25&to=2026-10-26&tz=Europe/Berlin');
    const utc = await json<{ agentReplies: Counts }>(h, '/api/v1/analytics/summary?from=2026-10-25&to=2026-10-26');
    const listed = await json<{ items: { id: string; agentReplies: number }[] }>(h, '/api/v1/conversations?from=2026-10-25&to=2026-10-26&tz=Europe/Berlin');

    expect(berlin.agentReplies).toEqual({ total: 2, sent: 1, failed: 1, unknown: 0 });
    expect(utc.agentReplies).toEqual({ total: 2, sent: 0, failed: 1, unknown: 1 });
    expect(listed.items.find((c) => c.id === ada.id)?.agentReplies).toBe(2);
  });

  it('documents the agent reply counts in the OpenAPI description of the summary and of a listed conversation', async () => {
    const h = await roleHarness();
    const doc = (await (await h.app.request('/openapi.json')).json()) as { components: { schemas: Record<string, { properties: Record<string, { type?: string; properties?: Record<string, unknown>; description?: string }> }> } };

    const { Summary, ConversationSummary } = doc.components.schemas;
    expect(Object.keys(Summary!.properties.agentReplies!.properties!)).toEqual(['total', 'sent', 'failed', 'unknown']);
    expect(Summary!.properties.agentReplies!.description).toContain('human handoff');
    expect(ConversationSummary!.properties.agentReplies).toMatchObject({ type: 'integer' });
  });
});
