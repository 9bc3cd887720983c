import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { conversationIdFor, userKeyFor } from '../../src/domain/model/ids.js';
import type { InteractionEvent, MessageInteraction } from '../../src/domain/model/interaction.js';
import { aPushEnvelope, pushRequest } from '../support/pubsub-envelope.js';
import { roleHarness, TEST_BOOTSTRAP_KEY, type RoleHarness } from '../support/role-harness.js';

const HOUR = 3600 * 1000;
const get = (h: RoleHarness, path: string) => h.app.request(path, { headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}` } });
const ingest = (h: RoleHarness, event: InteractionEvent) => h.app.request('/internal/pubsub/interactions', pushRequest(aPushEnvelope(event)));

/** Someone's conversation: a message from them an hour ago, and what else the test records about it. */
function aConversation(h: RoleHarness, number: string, masked: string, profileName?: string) {
  const base = {
    channel: 'whatsapp' as const,
    accountId: 'phone-1',
    conversationId: conversationIdFor('whatsapp', 'phone-1', number),
    userKey: userKeyFor('whatsapp', 'phone-1', number),
  };
  const receivedAt = h.clock.now() - HOUR;
  const messageId = `wamid.${randomUUID()}`;
  const message: MessageInteraction = {
    type: 'message',
    eventId: `message:whatsapp:${messageId}`,
    occurredAt: receivedAt + 1000,
    ...base,
    messageId,
    messageType: 'text',
    receivedAt,
    outcome: 'sent',
    usage: { prompt: 10, completion: 2 },
    costUsd: 0.001,
    participant: masked,
    ...(profileName ? { profileName } : {}),
  };
  return {
    id: base.conversationId,
    message,
    takenOver: (): InteractionEvent => ({ type: 'mode', eventId: `mode:${randomUUID()}`, occurredAt: receivedAt + 2000, ...base, mode: 'human' }),
    failed: (): InteractionEvent => ({ type: 'status', eventId: `status:${randomUUID()}`, occurredAt: receivedAt + 3000, ...base, outboundId: `wamid.out-${randomUUID()}`, status: 'failed' }),
  };
}

async function listed(h: RoleHarness, query: string): Promise<string[]> {
  const res = await get(h, `/api/v1/conversations?${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { id: string }[] }).items.map((item) => item.id);
}

describe('API conversations: mode and filters', () => {
  it('lists each conversation with its mode, and only those asked for by mode, last delivery or search', async () => {
    const h = await roleHarness();
    const ada = aConversation(h, '491701234567', '+49 170 •••• 4567', 'Ada');
    const bob = aConversation(h, '447700900123', '+44 7700 •••• 0123', 'Bob');
    for (const event of [ada.message, bob.message, ada.takenOver(), bob.failed()]) expect((await ingest(h, event)).status).toBe(204);

    const res = await get(h, '/api/v1/conversations');
    const items = ((await res.json()) as { items: { id: string; mode: string; lastDelivery: string | null }[] }).items;
    expect(Object.fromEntries(items.map((c) => [c.id, [c.mode, c.lastDelivery]]))).toEqual({ [ada.id]: ['human', null], [bob.id]: ['bot', 'failed'] });

    expect(await listed(h, 'mode=human')).toEqual([ada.id]);
    expect(await listed(h, 'mode=bot')).toEqual([bob.id]);
    expect(await listed(h, 'outcome=failed')).toEqual([bob.id]);
    expect(await listed(h, `q=${encodeURIComponent('+49 170')}`)).toEqual([ada.id]);
    expect(await listed(h, 'q=0123')).toEqual([bob.id]);
    expect(await listed(h, 'q=ADA')).toEqual([ada.id]);
    expect(await listed(h, 'q=ada&mode=bot')).toEqual([]);
  });

  it('exports each conversation with its mode in the CSV', async () => {
    const h = await roleHarness();
    const ada = aConversation(h, '491701234567', '+49 170 •••• 4567');
    for (const event of [ada.message, ada.takenOver()]) await ingest(h, event);

    const csv = await (await get(h, '/api/v1/export/conversations.csv')).text();

    const [header, row] = csv.trim().split('\r\n');
    const column = header!.split(',').indexOf('mode');
    expect(column).toBeGreaterThan(0);
    expect(row!.split(',')[column]).toBe('human');
  });

  it.each([
    ['mode is not bot or human', 'mode=robot'],
    ['outcome is not a delivery state', 'outcome=lost'],
    ['the search is empty', 'q=%20'],
    ['the search is over 64 characters', `q=${'x'.repeat(65)}`],
  ])('answers 400 naming the parameter when %s', async (_, query) => {
    const h = await roleHarness();

    const res = await get(h, `/api/v1/conversations?${query}`);

    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/mode|outcome|q /) });
  });
});
