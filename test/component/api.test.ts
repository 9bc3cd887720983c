import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { conversationIdFor, userKeyFor } from '../../src/domain/model/ids.js';
import type { MessageInteraction, StatusInteraction } from '../../src/domain/model/interaction.js';
import { HashedApiKeyVerifier, hashApiKey } from '../../src/http/auth/api-keys.js';
import { aMessage } from '../support/builders.js';
import { aPushEnvelope, pushRequest } from '../support/pubsub-envelope.js';
import { RecordingReplyChannel } from '../support/recording-reply-channel.js';
import { roleHarness, TEST_BOOTSTRAP_KEY, type RoleHarness } from '../support/role-harness.js';

const HOUR = 3600 * 1000;
const ROUTES = ['/api/v1/analytics/summary', '/api/v1/conversations', `/api/v1/conversations/${conversationIdFor('api', 'default', 'user:nobody')}/messages`];

/** `key: null` sends no Authorization header. */
const get = (h: RoleHarness, path: string, key: string | null = TEST_BOOTSTRAP_KEY) =>
  h.app.request(path, key === null ? {} : { headers: { authorization: `Bearer ${key}` } });

const ingest = (h: RoleHarness, event: unknown) => h.app.request('/internal/pubsub/interactions', pushRequest(aPushEnvelope(event)));

/** A message outcome in its own conversation (unless one is given), received `agoMs` before the harness clock. */
function anOutcome(h: RoleHarness, overrides: Partial<MessageInteraction> & { agoMs?: number; participant?: string } = {}): MessageInteraction {
  const { agoMs = HOUR, participant = `p-${randomUUID()}`, ...rest } = overrides;
  const conversationId = rest.conversationId ?? conversationIdFor('whatsapp', 'phone-1', participant);
  const messageId = `wamid.${randomUUID()}`;
  const receivedAt = h.clock.now() - agoMs;
  return {
    type: 'message',
    eventId: `message:whatsapp:${messageId}`,
    occurredAt: receivedAt + 1_000,
    channel: 'whatsapp',
    accountId: 'phone-1',
    conversationId,
    userKey: userKeyFor('whatsapp', 'phone-1', participant),
    messageId,
    messageType: 'text',
    receivedAt,
    outcome: 'sent',
    replyKind: 'ai',
    model: 'scripted-echo-v1',
    usage: { prompt: 100, completion: 20 },
    costUsd: 0.001,
    latencyMs: 1_000,
    ...rest,
  };
}

function range(h: RoleHarness, extra: Record<string, string> = {}): string {
  return new URLSearchParams({ from: new Date(h.clock.now() - 24 * HOUR).toISOString(), to: new Date(h.clock.now()).toISOString(), ...extra }).toString();
}

describe('API authentication', () => {
  it.each(ROUTES)('answers 401 with a JSON error when %s is called without Authorization', async (path) => {
    const h = await roleHarness();

    const res = await get(h, path, null);

    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it.each(ROUTES)('answers 401 when %s is called with a wrong key', async (path) => {
    const h = await roleHarness();

    const res = await get(h, path, `${TEST_BOOTSTRAP_KEY}-wrong`);

    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('answers 401 when the Authorization scheme is not Bearer', async () => {
    const h = await roleHarness();

    const res = await h.app.request('/api/v1/analytics/summary', { headers: { authorization: `Basic ${Buffer.from(`x:${TEST_BOOTSTRAP_KEY}`).toString('base64')}` } });

    expect(res.status).toBe(401);
  });

  it.each(ROUTES)('answers 403 when %s is called with a key that lacks the analytics:read scope', async (path) => {
    const adminOnlyKey = `admin-only-${randomUUID()}`;
    const h = await roleHarness({
      overrides: { [TOKENS.ApiKeyVerifier]: new HashedApiKeyVerifier([{ keyId: 'admin-only', hash: hashApiKey(adminOnlyKey), scopes: ['admin'] }]) },
    });

    const res = await get(h, path, adminOnlyKey);

    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('analytics:read') } });
  });

  it('answers 200 when the bootstrap key is presented', async () => {
    const h = await roleHarness();

    const res = await get(h, '/api/v1/analytics/summary');

    expect(res.status).toBe(200);
  });

  it('answers 401 for every key when no bootstrap key is configured', async () => {
    const h = await roleHarness({ env: { ROLE: 'all' } });

    expect((await get(h, '/api/v1/analytics/summary', '')).status).toBe(401);
    expect((await get(h, '/api/v1/analytics/summary', TEST_BOOTSTRAP_KEY)).status).toBe(401);
  });
});

describe('API analytics', () => {
  it('answers the summary of the ingested events, counting a redelivered event once', async () => {
    const h = await roleHarness();
    const alice = `alice-${randomUUID()}`;
    const first = anOutcome(h, { participant: alice, agoMs: 3 * HOUR, latencyMs: 1_000, usage: { prompt: 100, completion: 20 }, costUsd: 0.001 });
    const second = anOutcome(h, { participant: alice, agoMs: 2 * HOUR, latencyMs: 3_000, usage: { prompt: 200, completion: 40 }, costUsd: 0.002 });
    const failed = anOutcome(h, {
      agoMs: HOUR,
      outcome: 'failed',
      failureReason: 'whatsapp_token_expired',
      latencyMs: 2_000,
      usage: { prompt: 50, completion: 10 },
      costUsd: 0.0005,
    });
    const status: StatusInteraction = {
      type: 'status',
      eventId: `status:whatsapp:out-${randomUUID()}:read`,
      occurredAt: h.clock.now() - HOUR,
      channel: 'whatsapp',
      accountId: 'phone-1',
      conversationId: first.conversationId,
      userKey: first.userKey,
      outboundId: 'out-1',
      status: 'read',
    };

    for (const event of [first, second, failed, status, first, failed]) expect((await ingest(h, event)).status).toBe(204);
    const res = await get(h, `/api/v1/analytics/summary?${range(h)}`);

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      conversations: 2,
      messagesIn: 3,
      messagesOut: 2,
      uniqueUsers: 2,
      replyLatencyMs: { p50: 2_000, p95: 3_000, p99: 3_000 },
      tokens: { prompt: 350, completion: 70 },
      costUsd: expect.closeTo(0.0035, 10),
      costBreakdown: { aiUsd: expect.closeTo(0.0035, 10), whatsappUsd: 0 },
      failures: { total: 1, byReason: { 'whatsapp_token_expired': 1 } },
      agentReplies: { total: 0, sent: 0, failed: 0, unknown: 0 },
      toolCalls: { total: 0, ok: 0, failed: 0, unknown: 0, invalid: 0, latencyMs: { p50: 0, p95: 0 } },
    });
    // Alice's conversation cost 0.003, the other 0.0005: nearest-rank p50 and p95 of the two.
    const withCosts = (await (await get(h, `/api/v1/analytics/summary?${range(h)}&include=conversationCosts`)).json()) as { costPerConversationUsd: { p50: number; p95: number } };
    expect(withCosts.costPerConversationUsd.p50).toBeCloseTo(0.0005, 10);
    expect(withCosts.costPerConversationUsd.p95).toBeCloseTo(0.003, 10);
    expect((await get(h, `/api/v1/analytics/summary?${range(h)}&include=everything`)).status).toBe(400);
  });

  it('answers only the events of the asked channel and time range', async () => {
    const h = await roleHarness();
    const recent = anOutcome(h, { agoMs: HOUR });
    const old = anOutcome(h, { agoMs: 48 * HOUR });
    const api = anOutcome(h, { agoMs: HOUR, channel: 'api', accountId: 'default', conversationId: conversationIdFor('api', 'default', 'user:u') });
    for (const event of [recent, old, api]) await ingest(h, event);

    const whatsapp = (await (await get(h, `/api/v1/analytics/summary?${range(h, { channel: 'whatsapp' })}`)).json()) as { messagesIn: number };
    const all = (await (await get(h, `/api/v1/analytics/summary?${range(h)}`)).json()) as { messagesIn: number };
    const epochMs = (await (await get(h, `/api/v1/analytics/summary?from=${h.clock.now() - 72 * HOUR}&to=${h.clock.now()}`)).json()) as { messagesIn: number };

    expect(whatsapp.messagesIn).toBe(1);
    expect(all.messagesIn).toBe(2);
    expect(epochMs.messagesIn).toBe(3);
  });

  it('answers an empty summary with null percentiles when nothing was ingested', async () => {
    const h = await roleHarness();

    const res = await get(h, '/api/v1/analytics/summary');

    expect(await res.json()).toMatchObject({ conversations: 0, messagesIn: 0, replyLatencyMs: { p50: null, p95: null, p99: null }, failures: { total: 0 } });
  });

  it('walks every conversation once, newest first, when paging with limit=1', async () => {
    const h = await roleHarness();
    const events = [anOutcome(h, { agoMs: 3 * HOUR }), anOutcome(h, { agoMs: HOUR }), anOutcome(h, { agoMs: 2 * HOUR })];
    const sameConversation = anOutcome(h, { agoMs: 4 * HOUR, conversationId: events[0]!.conversationId });
    for (const event of [...events, sameConversation]) await ingest(h, event);

    const seen: { id: string; messagesIn: number; lastMessageAt: string; firstMessageAt: string }[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await get(h, `/api/v1/conversations?${range(h, { limit: '1', ...(cursor ? { cursor } : {}) })}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: typeof seen; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(1);
      seen.push(...body.items);
      cursor = body.nextCursor;
      if (!cursor) break;
    }

    expect(cursor).toBeNull();
    expect(seen.map((c) => c.id)).toEqual([events[1]!.conversationId, events[2]!.conversationId, events[0]!.conversationId]);
    expect(seen[2]).toMatchObject({
      messagesIn: 2,
      firstMessageAt: new Date(sameConversation.receivedAt).toISOString(),
      lastMessageAt: new Date(events[0]!.receivedAt).toISOString(),
    });
  });

  it('walks every conversation once when several share the same last message time', async () => {
    const h = await roleHarness();
    const events = Array.from({ length: 5 }, () => anOutcome(h, { agoMs: HOUR }));
    for (const event of events) await ingest(h, event);

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await get(h, `/api/v1/conversations?${range(h, { limit: '2', ...(cursor ? { cursor } : {}) })}`);
      const body = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
      if (!cursor) break;
    }

    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(events.map((e) => e.conversationId)));
  });

  it.each([
    ['from is after to', () => `from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`],
    ['from is not a time', () => 'from=yesterday'],
    ['the range exceeds 366 days', () => 'from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z'],
    ['channel is unknown', () => 'channel=fax'],
  ])('answers 400 on the summary when %s', async (_, query) => {
    const h = await roleHarness();

    const res = await get(h, `/api/v1/analytics/summary?${query()}`);

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'validation_failed', message: expect.any(String) } });
  });

  it.each([
    ['from is after to', 'from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'],
    ['limit is 0', 'limit=0'],
    ['limit is over the maximum', 'limit=201'],
    ['limit is not a number', 'limit=ten'],
    ['channel is fax', 'channel=fax'],
    ['the cursor is garbage', 'cursor=%21%21not-a-cursor%21%21'],
    ['the cursor is base64 of something else', `cursor=${Buffer.from('{"a":1}').toString('base64url')}`],
  ])('answers 400 on conversations when %s', async (_, query) => {
    const h = await roleHarness();

    const res = await get(h, `/api/v1/conversations?${query}`);

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('answers 204 and records nothing when an interactions envelope carries an invalid event', async () => {
    const h = await roleHarness();

    const res = await ingest(h, { type: 'message', eventId: 'x' });

    expect(res.status).toBe(204);
    expect(await (await get(h, '/api/v1/analytics/summary')).json()).toMatchObject({ messagesIn: 0 });
  });

  it('answers 400 when the interactions body is not a push envelope', async () => {
    const h = await roleHarness();

    const res = await h.app.request('/internal/pubsub/interactions', { method: 'POST', body: '[]', headers: { 'content-type': 'application/json' } });

    expect(res.status).toBe(400);
  });
});

describe('API transcript', () => {
  it('answers 404 when the conversation is unknown', async () => {
    const h = await roleHarness();

    const res = await get(h, `/api/v1/conversations/${conversationIdFor('whatsapp', 'phone-1', randomUUID())}/messages`);

    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'conversation_not_found', message: expect.any(String) } });
  });

  it('answers the messages with their replies when the worker handled them', async () => {
    const channel = new RecordingReplyChannel();
    const h = await roleHarness({ overrides: { [TOKENS.ReplyChannel]: channel } });
    const message = aMessage({ receivedAt: h.clock.now(), sentAt: h.clock.now(), text: 'Do you ship to Spain? 🇪🇸' });
    expect((await h.app.request('/pubsub/push', pushRequest(aPushEnvelope({ kind: 'message', message })))).status).toBe(204);

    const res = await get(h, `/api/v1/conversations/${message.conversationId}/messages`);

    expect(res.status).toBe(200);
    const body = (await res.json()) as { conversation: Record<string, unknown>; messages: Record<string, unknown>[] };
    expect(body.conversation).toMatchObject({ id: message.conversationId, channel: 'whatsapp', messageCount: 1 });
    expect(body.messages).toEqual([
      expect.objectContaining({
        id: message.id,
        type: 'text',
        text: 'Do you ship to Spain? 🇪🇸',
        state: 'sent',
        receivedAt: new Date(message.receivedAt).toISOString(),
        reply: expect.objectContaining({ text: channel.sent[0]!.reply.text, kind: 'ai' }),
        outboundIds: channel.sent[0]!.outboundIds,
      }),
    ]);
  });
});

describe('Health and unknown routes', () => {
  it('answers 200 {"status":"ok","role":"all"} when the role is ready', async () => {
    const h = await roleHarness();

    const res = await h.app.request('/healthz');

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', role: 'all' });
  });

  it('answers 503 when the role is not ready', async () => {
    const h = await roleHarness({ ready: false });

    const res = await h.app.request('/healthz');

    expect(res.status).toBe(503);
  });

  it('answers 503 again once the role stops', async () => {
    const h = await roleHarness();

    await h.runtime.stop();

    expect((await h.app.request('/healthz')).status).toBe(503);
  });

  it('answers 404 with a JSON error when no route matches', async () => {
    const h = await roleHarness();

    const res = await h.app.request('/api/v1/nothing-here');

    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
});
