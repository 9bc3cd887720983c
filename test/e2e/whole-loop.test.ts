import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import { CallbackReceiver } from '../support/callback-receiver.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { scriptedModelOf, startApp, type RunningApp } from '../support/running-app.js';
import { aWebhookSecret, hasValidStandardSignature, metaJson, metaSignature, standardWebhookHeaders } from '../support/signing.js';
import { aWamid, someParties, statusNotification, textNotification, type WhatsAppParties } from '../support/whatsapp-notifications.js';
import { SHIPPED_RATE_CARD } from '../../src/config/rate-card.js';
import { maskedParticipant } from '../../src/domain/model/masked-participant.js';

// The whole loop over real HTTP: Meta → listener → bus → worker (scripted model) → Graph API double,
// Meta's status callbacks, and the analytics API reading what the loop stored.

const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function aGraphDouble(): Promise<GraphApiDouble> {
  const double = new GraphApiDouble();
  await double.start();
  stops.push(() => double.stop());
  return double;
}

async function aCallbackReceiver(): Promise<CallbackReceiver> {
  const receiver = new CallbackReceiver();
  await receiver.start();
  stops.push(() => receiver.stop());
  return receiver;
}

interface Secrets {
  appSecret: string;
  verifyToken: string;
  apiKey: string;
  apiWebhookSecret: string;
  apiCallbackSecret: string;
}

const someSecrets = (): Secrets => ({
  appSecret: randomBytes(16).toString('hex'),
  verifyToken: `verify-${randomUUID()}`,
  apiKey: `vk_${randomBytes(24).toString('base64url')}`,
  apiWebhookSecret: aWebhookSecret(),
  apiCallbackSecret: aWebhookSecret(),
});

async function startAll(secrets: Secrets, graph: GraphApiDouble, options: { sendToWhatsApp?: boolean } = {}): Promise<RunningApp> {
  const app = await startApp({
    ROLE: 'all',
    WHATSAPP_APP_SECRET: secrets.appSecret,
    WHATSAPP_VERIFY_TOKEN: secrets.verifyToken,
    WHATSAPP_ACCESS_TOKEN: options.sendToWhatsApp === false ? undefined : graph.accessToken,
    WHATSAPP_API_BASE_URL: graph.baseUrl,
    BOOTSTRAP_API_KEY: secrets.apiKey,
    API_WEBHOOK_SECRET: secrets.apiWebhookSecret,
    API_CALLBACK_SECRET: secrets.apiCallbackSecret,
    CALLBACK_ALLOWED_HOSTS: '127.0.0.1',
  });
  stops.push(() => app.stop());
  return app;
}

/** Posts a notification the way Meta does: escaped-unicode JSON, signed over those exact bytes. */
async function postFromMeta(app: RunningApp, secrets: Secrets, notification: unknown): Promise<Response> {
  const raw = metaJson(notification);
  return fetch(`${app.baseUrl}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, secrets.appSecret) },
    body: raw,
  });
}

async function getJson(app: RunningApp, secrets: Secrets, path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.baseUrl}${path}`, { headers: { authorization: `Bearer ${secrets.apiKey}` } });
  return { status: response.status, body: await response.json() };
}

const transcriptOf = (app: RunningApp, secrets: Secrets, conversationId: string) =>
  getJson(app, secrets, `/api/v1/conversations/${conversationId}/messages`);

const modelOf = (app: RunningApp) => scriptedModelOf(app.runtime);

const whatsappConversation = (parties: WhatsAppParties) => conversationIdFor('whatsapp', parties.phoneNumberId, parties.customer);

describe('the whole loop (ROLE=all)', () => {
  it('answers a signed WhatsApp text once through the Graph API, tracks its delivery and reports it in analytics when Meta also retries', async () => {
    const graph = await aGraphDouble();
    const secrets = someSecrets();
    const app = await startAll(secrets, graph);
    const parties = someParties();
    const inboundId = aWamid();
    const userText = `Habt ihr am Sonntag geöffnet? ☕ ${randomUUID()}`;

    // Meta subscribes the webhook.
    const challenge = String(Date.now());
    const handshake = await fetch(
      `${app.baseUrl}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(secrets.verifyToken)}&hub.challenge=${challenge}`,
    );
    expect(handshake.status).toBe(200);
    expect(await handshake.text()).toBe(challenge);

    // The customer writes; the worker marks it read (with a typing indicator), then the reply reaches the Graph API.
    const notification = textNotification(parties, { id: inboundId, body: userText });
    const accepted = await postFromMeta(app, secrets, notification);
    expect(accepted.status).toBe(200);
    const [send] = await graph.waitForSends(1, 10_000);
    expect(graph.readReceipts).toHaveLength(1);
    const [receipt] = graph.readReceipts;
    expect(receipt!.path).toBe(`/v23.0/${parties.phoneNumberId}/messages`);
    expect(receipt!.headers.authorization).toBe(`Bearer ${graph.accessToken}`);
    expect(receipt!.body).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: inboundId, typing_indicator: { type: 'text' } });
    expect(receipt!.outcome).toEqual({ kind: 'read' });
    expect(graph.requests.indexOf(receipt!)).toBeLessThan(graph.requests.indexOf(send!));
    expect(send!.path).toBe(`/v23.0/${parties.phoneNumberId}/messages`);
    expect(send!.headers.authorization).toBe(`Bearer ${graph.accessToken}`);
    expect(send!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: parties.customer,
      type: 'text',
      text: { body: expect.any(String), preview_url: false },
      context: { message_id: inboundId },
      biz_opaque_callback_data: `vocoeng:1:r:0:1:${inboundId}`,
    });
    const replyText = (send!.body as { text: { body: string } }).text.body;
    expect(replyText).toMatch(/scripted model/i);
    expect(replyText).toContain(userText);

    // Meta delivers the same notification again: no second AI call, no second send, no second read receipt.
    await app.bus.idle();
    expect((await postFromMeta(app, secrets, notification)).status).toBe(200);
    await app.bus.idle();
    expect(graph.sends).toHaveLength(1);
    expect(graph.readReceipts).toHaveLength(1);
    expect(graph.requests).toHaveLength(2);
    expect(modelOf(app).calls).toBe(1);
    const outboundId = graph.acceptedIds[0]!;

    // The transcript has the message, the reply and the id WhatsApp gave it.
    const conversationId = whatsappConversation(parties);
    const sent = await transcriptOf(app, secrets, conversationId);
    expect(sent.status).toBe(200);
    expect(sent.body.conversation).toMatchObject({
      id: conversationId,
      channel: 'whatsapp',
      accountId: parties.phoneNumberId,
      // The whole number stays in the chat store unless an admin asks for it (the bootstrap key has every scope).
      participant: { id: `+49 ${parties.customer.slice(2, 5)} •••• ${parties.customer.slice(-4)}`, name: parties.customerName },
      messageCount: 1,
    });
    const full = await getJson(app, secrets, `/api/v1/conversations/${conversationId}/messages?participant=full`);
    expect(full.body.conversation.participant).toEqual({ id: parties.customer, name: parties.customerName });
    expect(sent.body.messages).toHaveLength(1);
    const [entry] = sent.body.messages;
    expect(entry).toMatchObject({
      id: inboundId,
      type: 'text',
      text: userText,
      state: 'sent',
      reply: { text: replyText, kind: 'ai', model: 'scripted-echo-v1' },
      outboundIds: [outboundId],
      delivery: null,
      failure: null,
    });

    // Meta reports delivery, then read, then a late duplicate "delivered": read stands.
    expect((await postFromMeta(app, secrets, statusNotification(parties, outboundId, 'delivered'))).status).toBe(200);
    expect((await postFromMeta(app, secrets, statusNotification(parties, outboundId, 'read'))).status).toBe(200);
    expect((await postFromMeta(app, secrets, statusNotification(parties, outboundId, 'delivered'))).status).toBe(200);
    await app.bus.idle();
    const read = await transcriptOf(app, secrets, conversationId);
    expect(read.body.messages[0].delivery).toMatchObject({ status: 'read', pricingCategory: 'service' });

    // Analytics counts the exchange once, with the tokens the reply used.
    const summary = await getJson(app, secrets, '/api/v1/analytics/summary');
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({
      conversations: 1,
      messagesIn: 1,
      messagesOut: 1,
      uniqueUsers: 1,
      tokens: { prompt: entry.reply.usage.prompt, completion: entry.reply.usage.completion },
      failures: { total: 0 },
    });
    expect(summary.body.tokens.prompt).toBeGreaterThan(0);
    expect(summary.body.tokens.completion).toBeGreaterThan(0);

    // The logs carry ids, never the text, the phone number or a secret.
    const logs = app.logText();
    expect(logs).toContain('inbound event handled');
    for (const sensitive of [userText, parties.customer, graph.accessToken, secrets.appSecret, secrets.verifyToken, secrets.apiKey]) {
      expect(logs).not.toContain(sensitive);
    }
  });

  it("prices a delivered template once from the rate card by its category and the customer's market, and adds it to the conversation's cost", async () => {
    const graph = await aGraphDouble();
    const secrets = someSecrets();
    const app = await startAll(secrets, graph);
    const parties = someParties(); // a German number (+49)
    expect((await postFromMeta(app, secrets, textNotification(parties, { id: aWamid(), body: 'Wann kommt mein Paket?' }))).status).toBe(200);
    await graph.waitForSends(1, 10_000);
    await app.bus.idle();

    // A utility template sent on the same number (by a campaign tool): Meta reports its charge with each status.
    const template = aWamid();
    const utility = { pricing_model: 'PMP', category: 'utility', type: 'regular' };
    for (const status of ['sent', 'read', 'delivered', 'read'] as const) {
      expect((await postFromMeta(app, secrets, statusNotification(parties, template, status, Date.now(), utility))).status).toBe(200);
    }
    await app.bus.idle();

    const germanUtility = SHIPPED_RATE_CARD.markets.DE!.utility!;
    const summary = await getJson(app, secrets, '/api/v1/analytics/summary');
    expect(summary.body.costBreakdown.whatsappUsd).toBeCloseTo(germanUtility, 10);
    expect(summary.body.costUsd).toBeCloseTo(summary.body.costBreakdown.aiUsd + germanUtility, 10);
    const conversations = await getJson(app, secrets, '/api/v1/conversations');
    const masked = `+49 ${parties.customer.slice(2, 5)} •••• ${parties.customer.slice(-4)}`;
    expect(conversations.body.items).toEqual([
      expect.objectContaining({ id: whatsappConversation(parties), participant: masked, profileName: parties.customerName, costBreakdown: { aiUsd: expect.any(Number), whatsappUsd: germanUtility } }),
    ]);
    expect(JSON.stringify(conversations.body)).not.toContain(parties.customer);
    const csv = await (await fetch(`${app.baseUrl}/api/v1/export/conversations.csv`, { headers: { authorization: `Bearer ${secrets.apiKey}` } })).text();
    const [header, row] = csv.split('\r\n').map((line) => line.split(','));
    const column = (name: string) => row![header!.indexOf(name)];
    expect(['whatsapp_cost_usd', 'last_delivery', 'mode', 'agent_replies'].map(column)).toEqual([String(germanUtility), 'read', 'bot', '0']);
    // A leading + is kept from running as a spreadsheet formula.
    expect(csv).toContain(`,'${masked},${parties.customerName},`);
    expect(csv).not.toContain(parties.customer);
  });

  it('stops counting a reply as answered, and counts it as failed under its named reason, when Meta reports its delivery failed', async () => {
    const graph = await aGraphDouble();
    const secrets = someSecrets();
    const app = await startAll(secrets, graph);
    const parties = someParties();
    expect((await postFromMeta(app, secrets, textNotification(parties, { id: aWamid(), body: 'Hallo?' }))).status).toBe(200);
    await graph.waitForSends(1, 10_000);
    await app.bus.idle();
    const before = await getJson(app, secrets, '/api/v1/analytics/summary');
    expect(before.body).toMatchObject({ messagesOut: 1, failures: { total: 0 } });

    const outboundId = (await transcriptOf(app, secrets, whatsappConversation(parties))).body.messages[0].outboundIds[0];
    for (let i = 0; i < 2; i++) expect((await postFromMeta(app, secrets, statusNotification(parties, outboundId, 'failed'))).status).toBe(200);
    await app.bus.idle();

    const after = await getJson(app, secrets, '/api/v1/analytics/summary');
    expect(after.body).toMatchObject({ messagesIn: 1, messagesOut: 0, failures: { total: 1, byReason: { whatsapp_undeliverable: 1 } } });
    const transcript = await transcriptOf(app, secrets, whatsappConversation(parties));
    expect(transcript.body.messages[0]).toMatchObject({ state: 'sent', delivery: { status: 'failed', errorCode: 131026 } });
    const conversations = await getJson(app, secrets, '/api/v1/conversations');
    expect(conversations.body.items).toMatchObject([{ messagesIn: 1, messagesOut: 0, lastDelivery: 'failed' }]);
  });

  it('delivers a signed reply to the callbackUrl and stores it when a client posts to the API channel', async () => {
    const graph = await aGraphDouble();
    const receiver = await aCallbackReceiver();
    const secrets = someSecrets();
    const app = await startAll(secrets, graph);
    const webhookId = `msg_${randomUUID()}`;
    const userId = `user-${randomUUID()}`;
    const body = JSON.stringify({
      userId,
      text: 'Where is my order #4711?',
      metadata: { orderId: '4711' },
      callbackUrl: `${receiver.baseUrl}/vocoeng/replies`,
    });
    const post = () =>
      fetch(`${app.baseUrl}/webhooks/api`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...standardWebhookHeaders(secrets.apiWebhookSecret, webhookId, Math.floor(Date.now() / 1000), body) },
        body,
      });

    const accepted = await post();
    expect(accepted.status).toBe(202);
    const { messageId, conversationId } = (await accepted.json()) as { messageId: string; conversationId: string };
    expect(messageId).toBe(webhookId);

    const [callback] = await receiver.waitForRequests(1, 10_000);
    expect(callback!.path).toBe('/vocoeng/replies');
    const headers = {
      id: callback!.headers['webhook-id'] as string,
      timestamp: callback!.headers['webhook-timestamp'] as string,
      signature: callback!.headers['webhook-signature'] as string,
    };
    // Signed with the callback key, never the inbound one (a replay to /webhooks/api must not verify).
    expect(hasValidStandardSignature(secrets.apiCallbackSecret, headers, callback!.rawBody)).toBe(true);
    expect(hasValidStandardSignature(secrets.apiWebhookSecret, headers, callback!.rawBody)).toBe(false);
    expect(Math.abs(Number(headers.timestamp) - Date.now() / 1000)).toBeLessThan(60);
    const reply = JSON.parse(callback!.rawBody.toString('utf8'));
    expect(reply).toEqual({
      type: 'message.reply',
      inReplyTo: webhookId,
      conversationId,
      userId,
      text: expect.stringContaining('Where is my order #4711?'),
      part: 0,
      metadata: { orderId: '4711' },
    });
    expect(headers.id).toBe(`reply_${webhookId}`);
    expect(reply.text).toMatch(/scripted model/i);

    // The client retries the same webhook: accepted again, answered once.
    await app.bus.idle();
    expect((await post()).status).toBe(202);
    await app.bus.idle();
    expect(receiver.requests).toHaveLength(1);
    expect(graph.requests).toHaveLength(0);

    const transcript = await transcriptOf(app, secrets, conversationId);
    expect(transcript.status).toBe(200);
    expect(transcript.body.conversation).toMatchObject({ id: conversationId, channel: 'api', participant: { id: maskedParticipant('api', userId) } });
    expect(transcript.body.conversation.participant.id).not.toBe(userId);
    expect(transcript.body.messages).toEqual([
      expect.objectContaining({ id: webhookId, text: 'Where is my order #4711?', state: 'sent', reply: expect.objectContaining({ text: reply.text }), outboundIds: [headers.id] }),
    ]);
  });

  it('stores the reply as unsent with a note naming WHATSAPP_ACCESS_TOKEN when sending to WhatsApp is not configured', async () => {
    const graph = await aGraphDouble();
    const secrets = someSecrets();
    const app = await startAll(secrets, graph, { sendToWhatsApp: false });
    const parties = someParties();
    const inboundId = aWamid();

    expect((await postFromMeta(app, secrets, textNotification(parties, { id: inboundId, body: 'Hello?' }))).status).toBe(200);
    await app.bus.idle();

    const transcript = await transcriptOf(app, secrets, whatsappConversation(parties));
    expect(transcript.body.messages).toHaveLength(1);
    expect(transcript.body.messages[0]).toMatchObject({ id: inboundId, state: 'unsent', outboundIds: [], reply: { kind: 'ai' } });
    expect(transcript.body.messages[0].note).toContain('WHATSAPP_ACCESS_TOKEN');
    expect(graph.requests).toHaveLength(0);
    const summary = await getJson(app, secrets, '/api/v1/analytics/summary');
    expect(summary.body).toMatchObject({ messagesIn: 1, messagesOut: 0 });
  });

  it('records the reply as failed after one attempt when the Graph API answers 131047 (outside the 24 h window) and the channel has no template', async () => {
    const graph = await aGraphDouble();
    graph.failNext(1, { status: 400, code: 131047, message: 'Re-engagement message' });
    const secrets = someSecrets();
    const app = await startAll(secrets, graph);
    const parties = someParties();
    const inboundId = aWamid();

    expect((await postFromMeta(app, secrets, textNotification(parties, { id: inboundId, body: 'Still there?' }))).status).toBe(200);
    await graph.waitForSends(1, 10_000);
    await app.bus.idle();

    expect(graph.sends).toHaveLength(1);
    expect(graph.sends[0]!.outcome).toEqual({ kind: 'error', status: 400, code: 131047 });
    expect((graph.sends[0]!.body as { type: string }).type).toBe('text');
    expect(graph.readReceipts.map((r) => r.body)).toEqual([
      { messaging_product: 'whatsapp', status: 'read', message_id: inboundId, typing_indicator: { type: 'text' } },
    ]);
    expect(graph.requests).toHaveLength(2);
    const transcript = await transcriptOf(app, secrets, whatsappConversation(parties));
    expect(transcript.body.messages[0]).toMatchObject({ state: 'failed', failure: { stage: 'send', reason: 'outside_service_window' } });
    const summary = await getJson(app, secrets, '/api/v1/analytics/summary');
    expect(summary.body).toMatchObject({ messagesIn: 1, messagesOut: 0, failures: { total: 1, byReason: { 'outside_service_window': 1 } } });
  });

  it('sends the channel template instead, and records it, when the Graph API answers 131047 and the channel has a template', async () => {
    const graph = await aGraphDouble();
    graph.failNext(1, { status: 400, code: 131047, message: 'Re-engagement message' });
    const secrets = someSecrets();
    const app = await startAll(secrets, graph);
    const parties = someParties();
    await app.runtime.container
      .get(TOKENS.ChatStore)
      .saveChannelSettings({ accountId: parties.phoneNumberId, windowTemplate: { name: 'reengage_hello', language: 'en_US' }, updatedAt: Date.now() });

    expect((await postFromMeta(app, secrets, textNotification(parties, { id: aWamid(), body: 'Still there?' }))).status).toBe(200);
    const [text, template] = await graph.waitForSends(2, 10_000);
    await app.bus.idle();

    expect(graph.sends).toHaveLength(2);
    expect(text!.outcome).toEqual({ kind: 'error', status: 400, code: 131047 });
    expect(template!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: parties.customer,
      type: 'template',
      template: { name: 'reengage_hello', language: { code: 'en_US' } },
      biz_opaque_callback_data: expect.stringMatching(/^vocoeng:1:t:wamid\./),
    });
    expect(graph.readReceipts).toHaveLength(1);
    const transcript = await transcriptOf(app, secrets, whatsappConversation(parties));
    expect(transcript.body.messages[0]).toMatchObject({
      state: 'sent',
      note: null,
      templateFallback: 'reengage_hello',
      outboundIds: graph.acceptedIds,
      failure: { stage: 'send', reason: 'outside_service_window' },
    });
    expect(graph.acceptedIds).toHaveLength(1);
  });

  it('sends the stored reply again, without a second model call, when the Graph API rate-limits the first attempt', async () => {
    const graph = await aGraphDouble();
    graph.failNext(1, { status: 429, code: 130429 });
    const secrets = someSecrets();
    const app = await startAll(secrets, graph);
    const parties = someParties();

    expect((await postFromMeta(app, secrets, textNotification(parties, { id: aWamid(), body: 'Price list please' }))).status).toBe(200);
    const [first, second] = await graph.waitForSends(2, 10_000);
    await app.bus.idle();

    expect(graph.sends).toHaveLength(2);
    expect(first!.outcome).toEqual({ kind: 'error', status: 429, code: 130429 });
    expect(second!.outcome.kind).toBe('accepted');
    expect(modelOf(app).calls).toBe(1);
    expect(second!.body).toEqual(first!.body);
    expect(first!.body).toMatchObject({ type: 'text', context: { message_id: expect.any(String) } });
    // The redelivery that resends the reply does not mark the message read again.
    expect(graph.readReceipts).toHaveLength(1);
    expect(graph.requests).toHaveLength(3);
    const transcript = await transcriptOf(app, secrets, whatsappConversation(parties));
    expect(transcript.body.messages[0]).toMatchObject({ state: 'sent', outboundIds: graph.acceptedIds, failure: null });
  });
});
