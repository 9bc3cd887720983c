import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { OpenAiDouble } from '../support/openai-double.js';
import { startApp } from '../support/running-app.js';
import { metaJson, metaSignature } from '../support/signing.js';
import { aWamid, someParties, textNotification } from '../support/whatsapp-notifications.js';

// The whole loop (ROLE=all) with the real OpenAI adapter pointed at an OpenAI-compatible double.

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('the whole loop with the OpenAI adapter', () => {
  it('answers a WhatsApp message with the model\'s reply, priced by its usage, when OPENAI_BASE_URL points at a compatible server', async () => {
    const openai = new OpenAiDouble();
    await openai.start();
    stops.push(() => openai.stop());
    const graph = new GraphApiDouble();
    await graph.start();
    stops.push(() => graph.stop());
    const secrets = { appSecret: randomBytes(16).toString('hex'), apiKey: `vk_${randomBytes(24).toString('base64url')}`, openaiKey: `sk-test-${randomUUID()}` };
    const app = await startApp({
      ROLE: 'all',
      WHATSAPP_APP_SECRET: secrets.appSecret,
      WHATSAPP_VERIFY_TOKEN: `verify-${randomUUID()}`,
      WHATSAPP_ACCESS_TOKEN: graph.accessToken,
      WHATSAPP_API_BASE_URL: graph.baseUrl,
      BOOTSTRAP_API_KEY: secrets.apiKey,
      OPENAI_API_KEY: secrets.openaiKey,
      OPENAI_BASE_URL: openai.baseUrl,
      OPENAI_MODEL: 'gpt-4o-mini',
    });
    stops.push(() => app.stop());
    const parties = someParties();
    const wamid = aWamid();
    openai.answerNext('Wir haben heute bis 18 Uhr geöffnet.', { prompt_tokens: 120, completion_tokens: 12 });
    const raw = metaJson(textNotification(parties, { id: wamid, body: 'Habt ihr heute geöffnet?' }));

    const posted = await fetch(`${app.baseUrl}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, secrets.appSecret) },
      body: raw,
    });
    expect(posted.status).toBe(200);

    const [send] = await graph.waitForSends(1, 10_000);
    expect(send!.body).toMatchObject({ to: parties.customer, type: 'text', text: { body: 'Wir haben heute bis 18 Uhr geöffnet.' }, context: { message_id: wamid } });
    const [call] = openai.chatRequests;
    expect(call!.headers.authorization).toBe(`Bearer ${secrets.openaiKey}`);
    expect(call!.body).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'system' }, { role: 'user', content: 'Habt ihr heute geöffnet?' }] });

    const conversationId = conversationIdFor('whatsapp', parties.phoneNumberId, parties.customer);
    const transcript = (await (await fetch(`${app.baseUrl}/api/v1/conversations/${conversationId}/messages`, { headers: { authorization: `Bearer ${secrets.apiKey}` } })).json()) as {
      messages: { state: string; reply: { kind: string; model: string; usage: unknown; costUsd: number } }[];
    };
    expect(transcript.messages[0]).toMatchObject({ state: 'sent', reply: { kind: 'ai', model: 'gpt-4o-mini', usage: { prompt: 120, completion: 12 } } });
    // gpt-4o-mini: $0.15 / $0.60 per million tokens.
    expect(transcript.messages[0]!.reply.costUsd).toBeCloseTo((120 * 0.15 + 12 * 0.6) / 1_000_000, 12);
  });
});
