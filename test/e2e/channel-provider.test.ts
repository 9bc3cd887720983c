import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { OpenAiDouble } from '../support/openai-double.js';
import { startApp } from '../support/running-app.js';
import { metaJson, metaSignature } from '../support/signing.js';
import { aWamid, someParties, textNotification, type WhatsAppParties } from '../support/whatsapp-notifications.js';

// A channel that chooses its model provider (`provider` in its settings), over real HTTP on the
// in-process topology (ROLE=all): the deployment answers with the scripted model, one channel
// chooses OpenAI (configured too, pointed at the OpenAI double) and gets its answers from there.

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('a channel that chooses its provider (ROLE=all)', () => {
  it('is answered by that provider with its default model, while the other channels keep the configured one', async () => {
    const [openai, graph] = [new OpenAiDouble(), new GraphApiDouble()];
    await Promise.all([openai.start(), graph.start()]);
    stops.push(() => openai.stop(), () => graph.stop());
    const secrets = { appSecret: randomBytes(16).toString('hex'), apiKey: `vk_${randomBytes(24).toString('base64url')}` };
    const app = await startApp({
      ROLE: 'all',
      AI_PROVIDER: 'scripted',
      WHATSAPP_APP_SECRET: secrets.appSecret,
      WHATSAPP_VERIFY_TOKEN: `verify-${randomUUID()}`,
      WHATSAPP_ACCESS_TOKEN: graph.accessToken,
      WHATSAPP_API_BASE_URL: graph.baseUrl,
      BOOTSTRAP_API_KEY: secrets.apiKey,
      OPENAI_API_KEY: `sk-test-${randomUUID()}`,
      OPENAI_BASE_URL: openai.baseUrl,
      OPENAI_MODEL: 'gpt-4o-mini',
    });
    stops.push(() => app.stop());
    const [chosen, configured] = [someParties(), someParties()];
    const put = await fetch(`${app.baseUrl}/api/v1/channels/${chosen.phoneNumberId}/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${secrets.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'openai' }),
    });
    expect(put.status).toBe(200);
    const refused = await fetch(`${app.baseUrl}/api/v1/channels/${chosen.phoneNumberId}/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${secrets.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'azure' }),
    });
    expect(refused.status).toBe(400);
    const writes = async (parties: WhatsAppParties, body: string) => {
      const raw = metaJson(textNotification(parties, { id: aWamid(), body }));
      const response = await fetch(`${app.baseUrl}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, secrets.appSecret) }, body: raw });
      expect(response.status).toBe(200);
      await app.bus.idle();
    };
    openai.answerNext('Hello from OpenAI.');

    await writes(chosen, 'Which model answers me?');
    await writes(configured, 'And me?');

    await graph.waitForSends(2, 10_000);
    const textTo = (parties: WhatsAppParties) => graph.sends.filter((send) => (send.body as { to: string }).to === parties.customer).map((send) => (send.body as { text: { body: string } }).text.body);
    expect(textTo(chosen)).toEqual(['Hello from OpenAI.']);
    expect(textTo(configured)).toEqual([expect.stringContaining('scripted model')]);
    expect(openai.chatRequests).toHaveLength(1);
    expect(openai.chatRequests[0]!.body).toMatchObject({ model: 'gpt-4o-mini' });
  });
});
