import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScriptedCompletionModel } from '../../src/adapters/scripted/scripted-completion-model.js';
import { CallbackReceiver } from '../support/callback-receiver.js';
import { scriptedModelOf, startApp, type RunningApp } from '../support/running-app.js';
import { aWebhookSecret, hasValidStandardSignature, standardWebhookHeaders } from '../support/signing.js';

// Replay on the generic API channel (Standard Webhooks): a request whose `webhook-id` was already
// accepted, replayed within the 5-minute tolerance (as is, or re-signed with another body), is
// answered 202 with the same messageId and is not processed again: the worker's claim dedupes by
// message id (= webhook-id). End to end through ROLE=all over real HTTP: listener → in-memory
// bus → worker (scripted model) → signed callback to a receiver on 127.0.0.1.

const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

interface Setup {
  app: RunningApp;
  receiver: CallbackReceiver;
  secret: string;
  callbackSecret: string;
  model: ScriptedCompletionModel;
}

async function startAllWithReceiver(): Promise<Setup> {
  const receiver = new CallbackReceiver();
  await receiver.start();
  stops.push(() => receiver.stop());
  const secret = aWebhookSecret();
  const callbackSecret = aWebhookSecret();
  const app = await startApp({
    ROLE: 'all',
    API_WEBHOOK_SECRET: secret,
    API_CALLBACK_SECRET: callbackSecret,
    BOOTSTRAP_API_KEY: `vk_${randomBytes(24).toString('base64url')}`,
    CALLBACK_ALLOWED_HOSTS: '127.0.0.1',
  });
  stops.push(() => app.stop());
  return { app, receiver, secret, callbackSecret, model: scriptedModelOf(app.runtime) };
}

/** The exact bytes and headers of one signed request, so it can be posted again unchanged. */
function aSignedRequest(secret: string, webhookId: string, payload: unknown, timestamp = Math.floor(Date.now() / 1000)) {
  const body = JSON.stringify(payload);
  return { body, headers: { 'content-type': 'application/json', ...standardWebhookHeaders(secret, webhookId, timestamp, body) } };
}

async function post(app: RunningApp, request: { body: string; headers: Record<string, string> }) {
  const response = await fetch(`${app.baseUrl}/webhooks/api`, { method: 'POST', headers: request.headers, body: request.body });
  return { status: response.status, body: (await response.json()) as { messageId?: string; conversationId?: string } };
}

describe('API channel replay (ROLE=all)', () => {
  it('answers 202 with the same messageId but calls the model once and delivers one callback when a signed request is replayed as is and with another body under the same webhook-id', async () => {
    const { app, receiver, secret, model } = await startAllWithReceiver();
    const webhookId = `msg_${randomUUID()}`;
    const userId = `user-${randomUUID()}`;
    const callbackUrl = `${receiver.baseUrl}/replies`;
    const original = aSignedRequest(secret, webhookId, { userId, text: 'Where is my order #4711?', callbackUrl });
    const tampered = aSignedRequest(secret, webhookId, { userId, text: 'Cancel every order!', callbackUrl }, Math.floor(Date.now() / 1000) + 1);

    // The replay arrives while the first delivery may still be in progress.
    const [first, replay] = await Promise.all([post(app, original), post(app, original)]);
    await receiver.waitForRequests(1, 10_000);
    await app.bus.idle();
    const rebodied = await post(app, tampered);
    await app.bus.idle();

    expect([first.status, replay.status, rebodied.status]).toEqual([202, 202, 202]);
    expect(first.body.messageId).toBe(webhookId);
    expect(replay.body.messageId).toBe(webhookId);
    expect(rebodied.body.messageId).toBe(webhookId);
    expect(model.calls).toBe(1);
    expect(model.requests[0]!.turns.at(-1)).toEqual({ role: 'user', content: 'Where is my order #4711?' });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.headers['webhook-id']).toBe(`reply_${webhookId}`);
    expect(JSON.parse(receiver.requests[0]!.rawBody.toString('utf8'))).toMatchObject({ inReplyTo: webhookId, userId });
    expect(JSON.parse(receiver.requests[0]!.rawBody.toString('utf8')).text).not.toContain('Cancel every order!');
  });

  it('calls the model once and delivers one callback when the replay with another body races the original', async () => {
    const { app, receiver, secret, model } = await startAllWithReceiver();
    const webhookId = `msg_${randomUUID()}`;
    const userId = `user-${randomUUID()}`;
    const callbackUrl = `${receiver.baseUrl}/replies`;

    const answers = await Promise.all([
      post(app, aSignedRequest(secret, webhookId, { userId, text: 'first body', callbackUrl })),
      post(app, aSignedRequest(secret, webhookId, { userId, text: 'second body', callbackUrl })),
    ]);
    await receiver.waitForRequests(1, 10_000);
    await app.bus.idle();

    expect(answers.map((answer) => [answer.status, answer.body.messageId])).toEqual([
      [202, webhookId],
      [202, webhookId],
    ]);
    expect(model.calls).toBe(1);
    expect(receiver.requests).toHaveLength(1);
  });

  it('answers 400 naming the unknown fields, calls no model and sends no callback when one of our callbacks is posted back signed with the inbound secret', async () => {
    const { app, receiver, secret, model } = await startAllWithReceiver();
    const callbackUrl = `${receiver.baseUrl}/replies`;
    expect((await post(app, aSignedRequest(secret, `msg_${randomUUID()}`, { userId: `user-${randomUUID()}`, text: 'hello', callbackUrl }))).status).toBe(202);
    const [callback] = await receiver.waitForRequests(1, 10_000);
    await app.bus.idle();
    // The callback's own bytes and webhook-id, signed with the inbound secret: what a replay
    // verifies with whenever both secrets are the same.
    const body = callback!.rawBody.toString('utf8');
    const replayed = { body, headers: { 'content-type': 'application/json', ...standardWebhookHeaders(secret, String(callback!.headers['webhook-id']), Math.floor(Date.now() / 1000), body) } };

    const response = await fetch(`${app.baseUrl}/webhooks/api`, { method: 'POST', headers: replayed.headers, body: replayed.body });
    await app.bus.idle();

    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('validation_failed');
    expect(error.message).toMatch(/inReplyTo/);
    expect(error.message).toMatch(/part/);
    expect(model.calls).toBe(1);
    expect(receiver.requests).toHaveLength(1);
  });

  it('answers 401 and makes no second model call when a callback we sent is replayed to /webhooks/api with its own bytes and headers', async () => {
    const { app, receiver, secret, callbackSecret, model } = await startAllWithReceiver();
    const inbound = { userId: `user-${randomUUID()}`, text: 'What does shipping cost?', callbackUrl: `${receiver.baseUrl}/replies` };
    expect((await post(app, aSignedRequest(secret, `msg_${randomUUID()}`, inbound))).status).toBe(202);
    const [callback] = await receiver.waitForRequests(1, 10_000);
    await app.bus.idle();
    const headers = Object.fromEntries(['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(callback!.headers[name])]));

    const replay = await fetch(`${app.baseUrl}/webhooks/api`, { method: 'POST', headers, body: new Uint8Array(callback!.rawBody) });
    await app.bus.idle();

    expect(replay.status).toBe(401);
    expect(model.calls).toBe(1);
    // The callback itself verifies with API_CALLBACK_SECRET, the key its receiver is given.
    const signed = { id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] };
    expect(hasValidStandardSignature(callbackSecret, signed, callback!.rawBody)).toBe(true);
  });

  // The claim is keyed by the webhook-id per account, whatever conversation the body names.
  it('processes a replayed webhook-id once when the replay names another user', async () => {
    const { app, receiver, secret, model } = await startAllWithReceiver();
    const webhookId = `msg_${randomUUID()}`;
    const callbackUrl = `${receiver.baseUrl}/replies`;

    const first = await post(app, aSignedRequest(secret, webhookId, { userId: `user-${randomUUID()}`, text: 'hello', callbackUrl }));
    await receiver.waitForRequests(1, 10_000);
    await app.bus.idle();
    const replay = await post(app, aSignedRequest(secret, webhookId, { userId: `user-${randomUUID()}`, text: 'hello', callbackUrl }));
    await app.bus.idle();

    expect([first.status, replay.status]).toEqual([202, 202]);
    expect(replay.body.messageId).toBe(webhookId);
    expect(model.calls).toBe(1);
    expect(receiver.requests).toHaveLength(1);
  });
});
