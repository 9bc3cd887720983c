import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { statusWebhookFor } from '../support/graph-status-webhooks.js';
import { startApp, type RunningApp } from '../support/running-app.js';
import { aWebhookSecret, metaJson, metaSignature } from '../support/signing.js';
import { aWamid, someParties, textNotification } from '../support/whatsapp-notifications.js';

// Meta usually reports the closed 24 h window late: it accepts the reply, then posts a `failed`
// status with error 131047. Through the real listener and worker (ROLE=all) and the Graph API
// double: the window template goes out once however often Meta delivers that status, and the
// analytics count the failure.

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const WINDOW_CLOSED = [{ code: 131047, title: 'Re-engagement message' }];

async function aWorld() {
  const graph = new GraphApiDouble();
  await graph.start();
  stops.push(() => graph.stop());
  const secrets = { appSecret: randomBytes(16).toString('hex'), apiKey: `vk_${randomBytes(24).toString('base64url')}` };
  const app: RunningApp = await startApp({
    ROLE: 'all',
    WHATSAPP_APP_SECRET: secrets.appSecret,
    WHATSAPP_VERIFY_TOKEN: `verify-${randomUUID()}`,
    WHATSAPP_ACCESS_TOKEN: graph.accessToken,
    WHATSAPP_API_BASE_URL: graph.baseUrl,
    BOOTSTRAP_API_KEY: secrets.apiKey,
    API_WEBHOOK_SECRET: aWebhookSecret(),
  });
  stops.push(() => app.stop());
  const postFromMeta = (notification: unknown) => {
    const raw = metaJson(notification);
    return fetch(`${app.baseUrl}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, secrets.appSecret) },
      body: raw,
    });
  };
  const getJson = async (path: string) => (await fetch(`${app.baseUrl}${path}`, { headers: { authorization: `Bearer ${secrets.apiKey}` } })).json() as Promise<any>;
  return { graph, app, postFromMeta, getJson };
}

describe('a late failed status (131047) for a reply', () => {
  it('sends the window template once for two deliveries of the same status, and counts the failure as outside-service-window', async () => {
    const { graph, app, postFromMeta, getJson } = await aWorld();
    const parties = someParties();
    await app.runtime.container
      .get(TOKENS.ChatStore)
      .saveChannelSettings({ accountId: parties.phoneNumberId, windowTemplate: { name: 'reengage_hello', language: 'en_US' }, updatedAt: Date.now() });
    const inboundId = aWamid();

    expect((await postFromMeta(textNotification(parties, { id: inboundId, body: 'Are you still open?' }))).status).toBe(200);
    const [reply] = await graph.waitForAcceptedSends(1, 10_000);
    await app.bus.idle();

    // Meta retries the webhook: the same failed status arrives twice, at the same time.
    const failed = statusWebhookFor(reply!, 'failed', { errors: WINDOW_CLOSED });
    const answers = await Promise.all([postFromMeta(failed), postFromMeta(failed)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    await app.bus.idle();

    const templates = graph.sends.filter((send) => (send.body as { type?: string }).type === 'template');
    expect(templates).toHaveLength(1);
    expect(templates[0]!.body).toMatchObject({ to: parties.customer, template: { name: 'reengage_hello', language: { code: 'en_US' } } });
    expect(graph.sends).toHaveLength(2);
    const conversationId = conversationIdFor('whatsapp', parties.phoneNumberId, parties.customer);
    const transcript = await getJson(`/api/v1/conversations/${conversationId}/messages`);
    expect(transcript.messages[0]).toMatchObject({ delivery: { status: 'failed', errorCode: 131047 } });
    const summary = await getJson('/api/v1/analytics/summary');
    expect(summary).toMatchObject({ messagesIn: 1, failures: { total: 1, byReason: { 'outside_service_window': 1 } } });
  });
});
