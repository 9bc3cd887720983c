import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { deadLetterSink } from '../../src/composition/dead-letter-sink.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { createLogger } from '../../src/observability/logger.js';
import { CallbackReceiver } from '../support/callback-receiver.js';
import { FixedClock } from '../support/fixed-clock.js';
import { startApp, type RunningApp } from '../support/running-app.js';
import { aWebhookSecret, standardWebhookHeaders } from '../support/signing.js';

// Right to erasure on the generic API channel, through the real flow of ROLE=all over HTTP:
// listener (/webhooks/api) → in-process bus → worker (scripted model) → chat store → erasure
// (/api/v1/erasures) → transcript read. The conversation ids are whatever the listener made of
// the client's own conversationIds; the test never derives one itself.

const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function setUp() {
  const receiver = new CallbackReceiver();
  await receiver.start();
  stops.push(() => receiver.stop());
  const secret = aWebhookSecret();
  const apiKey = `vk_${randomBytes(24).toString('base64url')}`;
  const app = await startApp({ ROLE: 'all', API_WEBHOOK_SECRET: secret, BOOTSTRAP_API_KEY: apiKey, CALLBACK_ALLOWED_HOSTS: '127.0.0.1' });
  stops.push(() => app.stop());

  const signed = (webhookId: string, payload: Record<string, unknown>) => {
    const body = JSON.stringify({ ...payload, callbackUrl: `${receiver.baseUrl}/replies` });
    return { body, headers: { 'content-type': 'application/json', ...standardWebhookHeaders(secret, webhookId, Math.floor(Date.now() / 1000), body) } };
  };
  const send = async (webhookId: string, payload: Record<string, unknown>) => {
    const response = await fetch(`${app.baseUrl}/webhooks/api`, { method: 'POST', ...signed(webhookId, payload) });
    expect(response.status).toBe(202);
    return ((await response.json()) as { conversationId: string }).conversationId;
  };
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${app.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...init.headers } });
  return { app, receiver, send, api };
}

/** Stores a dead letter of `conversationId`'s first message the way ROLE=all does when the bus gives up on it. */
async function deadLetterOf(app: RunningApp, conversationId: string): Promise<string> {
  const chats = app.runtime.container.get(TOKENS.ChatStore);
  const store = app.runtime.container.get(TOKENS.DeadLetterStore);
  const [record] = await chats.messages(conversationId, { limit: 1 });
  const messageId = `dead-${randomUUID()}`;
  const event = JSON.parse(JSON.stringify({ kind: 'message', message: record!.message }));
  await deadLetterSink(store, new FixedClock(), createLogger({ level: 'error' }))('inbound', { messageId, event, attributes: { kind: 'message' }, orderingKey: conversationId, deliveryAttempt: 10 });
  const { items } = await store.list({ limit: 100 });
  const letter = items.find((item) => item.messageId === messageId);
  expect(letter).toBeDefined();
  return letter!.id;
}

describe('POST /api/v1/erasures on the API channel (ROLE=all)', () => {
  it("erases every conversation of the user, under their own conversationIds and without one, with dead letters, and answers none of their late redeliveries", async () => {
    const { app, receiver, send, api } = await setUp();
    const userId = `user-${randomUUID()}`;
    const bystander = `user-${randomUUID()}`;
    const first = { id: `msg_${randomUUID()}`, payload: { userId, conversationId: `ticket-${randomUUID()}`, text: 'My card was charged twice' } };
    const mine = [
      await send(first.id, first.payload),
      await send(`msg_${randomUUID()}`, { userId, conversationId: `ticket-${randomUUID()}`, text: 'And my address changed' }),
      await send(`msg_${randomUUID()}`, { userId, text: 'Hello?' }),
    ];
    const theirs = await send(`msg_${randomUUID()}`, { userId: bystander, conversationId: `ticket-${randomUUID()}`, text: 'Unrelated question' });
    await receiver.waitForRequests(4, 10_000);
    await app.bus.idle();
    expect(new Set(mine).size).toBe(3);
    for (const id of [...mine, theirs]) expect((await api(`/api/v1/conversations/${id}/messages`)).status).toBe(200);
    const myLetter = await deadLetterOf(app, mine[0]!);
    const theirLetter = await deadLetterOf(app, theirs);

    const erased = await api('/api/v1/erasures', { method: 'POST', body: JSON.stringify({ channel: 'api', participantId: userId }) });

    expect(erased.status).toBe(200);
    expect(await erased.json()).toEqual({ conversationIds: [...mine].sort(), messages: 3, deadLetters: 1, interactions: 3, statuses: 0 });
    for (const id of mine) expect((await api(`/api/v1/conversations/${id}/messages`)).status).toBe(404);
    expect((await api(`/api/v1/conversations/${theirs}/messages`)).status).toBe(200);
    const deadLetters = app.runtime.container.get(TOKENS.DeadLetterStore);
    expect(await deadLetters.get(myLetter)).toBeNull();
    expect(await deadLetters.get(theirLetter)).not.toBeNull();

    // The client retries a webhook of the erased user: accepted, but never answered or stored again.
    await send(first.id, first.payload);
    await app.bus.idle();
    expect(receiver.requests).toHaveLength(4);
    expect((await api(`/api/v1/conversations/${mine[0]}/messages`)).status).toBe(404);
  });
});
