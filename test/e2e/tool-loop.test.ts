import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyStandardWebhook } from '../../src/adapters/webhook/standard-webhooks.js';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { scriptedModelOf, startApp } from '../support/running-app.js';
import { aWebhookSecret, metaJson, metaSignature } from '../support/signing.js';
import { ToolServer } from '../support/tool-server.js';
import { aWamid, someParties, textNotification } from '../support/whatsapp-notifications.js';

// A tool the model calls, over real HTTP on the in-process topology (ROLE=all): Meta → listener →
// worker → the scripted model asks for the tool → a signed POST to a tool server on loopback →
// the model answers quoting the tool's JSON → Graph. Configured through the settings API.

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function aLoop() {
  const [graph, tools] = [new GraphApiDouble(), new ToolServer()];
  await Promise.all([graph.start(), tools.start()]);
  stops.push(() => graph.stop(), () => tools.stop());
  const secrets = { appSecret: randomBytes(16).toString('hex'), apiKey: `vk_${randomBytes(24).toString('base64url')}`, callback: aWebhookSecret() };
  const app = await startApp({
    ROLE: 'all',
    WHATSAPP_APP_SECRET: secrets.appSecret,
    WHATSAPP_VERIFY_TOKEN: `verify-${randomUUID()}`,
    WHATSAPP_ACCESS_TOKEN: graph.accessToken,
    WHATSAPP_API_BASE_URL: graph.baseUrl,
    BOOTSTRAP_API_KEY: secrets.apiKey,
    API_WEBHOOK_SECRET: aWebhookSecret(),
    API_CALLBACK_SECRET: secrets.callback,
    CALLBACK_ALLOWED_HOSTS: '127.0.0.1',
  });
  stops.push(() => app.stop());
  const parties = someParties();
  const conversationId = conversationIdFor('whatsapp', parties.phoneNumberId, parties.customer);
  const post = async (raw: string) => {
    const response = await fetch(`${app.baseUrl}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, secrets.appSecret) }, body: raw });
    expect(response.status).toBe(200);
    await app.bus.idle();
  };
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${secrets.apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const settings = await api('PUT', `/api/v1/channels/${parties.phoneNumberId}/settings`, {
    tools: [
      {
        name: 'order_status',
        description: 'The shipping status of an order',
        parameters: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] },
        url: `${tools.url}/tools/order-status`,
        timeoutMs: 2_000,
      },
    ],
  });
  expect(settings.status).toBe(200);
  return { app, graph, tools, parties, conversationId, post, api, secrets, model: () => scriptedModelOf(app.runtime) };
}

const textOf = (send: { body: unknown }) => (send.body as { text?: { body: string } }).text?.body;

describe('a tool the model calls (ROLE=all)', () => {
  it('calls it once, signed, and answers the customer quoting its JSON answer', async () => {
    const { graph, tools, parties, conversationId, post, secrets, model, api } = await aLoop();
    await post(metaJson(textNotification(parties, { id: aWamid(), body: 'Where is my order? [[tool:order_status {"order":"A17"}]]' })));
    await graph.waitForSends(1);

    const [request] = tools.requests;
    expect(tools.requests).toHaveLength(1);
    expect(request!.body).toEqual({ tool: 'order_status', arguments: { order: 'A17' }, callId: expect.stringMatching(/^tc_/), conversationId });
    const header = (name: string) => request!.headers[name] as string | undefined;
    const verified = verifyStandardWebhook(secrets.callback, { id: header('webhook-id'), timestamp: header('webhook-timestamp'), signature: header('webhook-signature') }, request!.rawBody, Math.floor(Date.now() / 1000));
    expect(verified).toMatchObject({ ok: true, id: request!.body.callId });
    expect(textOf(graph.sends[0]!)).toContain('The tool order_status answered: {"tool":"order_status","echo":{"order":"A17"},"call":1}');
    expect(model().calls).toBe(2);

    // The transcript shows the call between the message and its reply; the analytics count it.
    const transcript = await api('GET', `/api/v1/conversations/${conversationId}/messages`);
    expect(transcript.body.messages[0].toolCalls).toEqual([
      expect.objectContaining({ role: 'tool', tool: 'order_status', callId: request!.body.callId, arguments: { order: 'A17' }, state: 'ok', answer: '{"tool":"order_status","echo":{"order":"A17"},"call":1}' }),
    ]);
    const summary = await api('GET', '/api/v1/analytics/summary');
    expect(summary.body.toolCalls).toMatchObject({ total: 1, ok: 1, failed: 0, unknown: 0, invalid: 0 });
  });

  it('tells the model a dropped answer is unknown, and a redelivered notification makes no second call', async () => {
    const { graph, tools, parties, post, model, api } = await aLoop();
    tools.next('drop');
    const raw = metaJson(textNotification(parties, { id: aWamid(), body: '[[tool:order_status {"order":"B2"}]]' }));

    await post(raw);
    await graph.waitForSends(1);
    // Meta retries the same notification: the message is known, its tool call is not made again.
    await post(raw);

    expect(tools.requests).toHaveLength(1);
    expect(textOf(graph.sends[0]!)).toContain('"error":"outcome_unknown"');
    expect(graph.sends).toHaveLength(1);
    expect(model().calls).toBe(2);
    const summary = await api('GET', '/api/v1/analytics/summary');
    expect(summary.body.toolCalls).toMatchObject({ total: 1, unknown: 1 });
  });
});
