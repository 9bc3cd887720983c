import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { conversationIdFor, userKeyFor } from '../../src/domain/model/ids.js';
import type { MessageInteraction } from '../../src/domain/model/interaction.js';
import { aPushEnvelope, pushRequest } from '../support/pubsub-envelope.js';
import { roleHarness, TEST_BOOTSTRAP_KEY, type RoleHarness } from '../support/role-harness.js';

const get = (h: RoleHarness, path: string) => h.app.request(path, { headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}` } });

/** A message answered at `iso`, in a conversation of its own. */
function anOutcomeAt(iso: string): MessageInteraction {
  const participant = `p-${randomUUID()}`;
  const messageId = `wamid.${randomUUID()}`;
  const receivedAt = Date.parse(iso);
  return {
    type: 'message',
    eventId: `message:whatsapp:${messageId}`,
    occurredAt: receivedAt,
    channel: 'whatsapp',
    accountId: 'phone-1',
    conversationId: conversationIdFor('whatsapp', 'phone-1', participant),
    userKey: userKeyFor('whatsapp', 'phone-1', participant),
    messageId,
    messageType: 'text',
    receivedAt,
    outcome: 'sent',
    replyKind: 'ai',
    model: 'scripted-echo-v1',
    usage: { prompt: 10, completion: 2 },
    costUsd: 0.001,
    latencyMs: 900,
  };
}

/** Around the night the clocks go back in Berlin: 23:59 on the 24th, midnight, 23:30 on the 25th (its 25th hour), 00:00 and 00:30 on the 26th. */
async function berlinNight(): Promise<RoleHarness> {
  const h = await roleHarness();
  for (const iso of ['2026-10-24T21:59:00Z', '2026-10-24T22:00:00Z', '2026-10-25T22:30:00Z', '2026-10-25T23:00:00Z', '2026-10-25T23:30:00Z']) {
    expect((await h.app.request('/internal/pubsub/interactions', pushRequest(aPushEnvelope(anOutcomeAt(iso))))).status).toBe(204);
  }
  return h;
}

describe('API tz parameter', () => {
  it('answers a timeseries by Berlin days, from and to given as dates meaning local midnights, and echoes tz', async () => {
    const h = await berlinNight();

    const res = await get(h, '/api/v1/analytics/timeseries?metric=messagesIn&interval=day&from=2026-10-24&to=2026-10-27&tz=Europe/Berlin');

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      metric: 'messagesIn',
      interval: 'day',
      tz: 'Europe/Berlin',
      from: '2026-10-23T22:00:00.000Z',
      to: '2026-10-26T23:00:00.000Z',
      points: [
        { at: '2026-10-23T22:00:00.000Z', value: 1 },
        { at: '2026-10-24T22:00:00.000Z', value: 2 },
        { at: '2026-10-25T23:00:00.000Z', value: 2 },
      ],
    });
  });

  it('answers UTC days, as before, when no tz is given', async () => {
    const h = await berlinNight();

    const body = (await (await get(h, '/api/v1/analytics/timeseries?metric=messagesIn&interval=day&from=2026-10-24&to=2026-10-27')).json()) as Record<string, unknown>;

    expect(body).toMatchObject({ tz: 'UTC', from: '2026-10-24T00:00:00.000Z', to: '2026-10-27T00:00:00.000Z' });
    expect(body.points).toEqual([
      { at: '2026-10-24T00:00:00.000Z', value: 2 },
      { at: '2026-10-25T00:00:00.000Z', value: 3 },
      { at: '2026-10-26T00:00:00.000Z', value: 0 },
    ]);
  });

  it('reads a date-only from and to as local midnights for the summary, the conversations and the CSV export', async () => {
    const h = await berlinNight();
    const berlinDay = 'from=2026-10-25&to=2026-10-26&tz=Europe/Berlin';

    const summary = (await (await get(h, `/api/v1/analytics/summary?${berlinDay}`)).json()) as { messagesIn: number };
    const utcDay = (await (await get(h, '/api/v1/analytics/summary?from=2026-10-25&to=2026-10-26')).json()) as { messagesIn: number };
    const page = (await (await get(h, `/api/v1/conversations?${berlinDay}`)).json()) as { items: { lastMessageAt: string }[] };
    const csv = await (await get(h, `/api/v1/export/conversations.csv?${berlinDay}`)).text();

    expect(summary.messagesIn).toBe(2);
    expect(utcDay.messagesIn).toBe(3);
    expect(page.items.map((item) => item.lastMessageAt)).toEqual(['2026-10-25T22:30:00.000Z', '2026-10-24T22:00:00.000Z']);
    expect(csv.trim().split('\n')).toHaveLength(3);
    // A full time keeps its own offset whatever tz says.
    const exact = (await (await get(h, '/api/v1/analytics/summary?from=2026-10-24T21:59:00Z&to=2026-10-24T22:00:00Z&tz=Asia/Kolkata')).json()) as { messagesIn: number };
    expect(exact.messagesIn).toBe(1);
  });

  it.each([
    '/api/v1/analytics/timeseries?metric=messagesIn&tz=Mars/Olympus',
    '/api/v1/analytics/summary?tz=%2B05:30',
    '/api/v1/conversations?tz=Europe/Berlinn',
    '/api/v1/export/conversations.csv?tz=',
  ])('answers 400 naming tz when GET %s', async (url) => {
    const h = await roleHarness();

    const res = await get(h, url);

    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'validation_failed', message: expect.stringContaining('tz must be an IANA time zone such as Europe/Berlin') } });
  });
});
