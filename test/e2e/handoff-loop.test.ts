import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import { GraphApiDouble } from '../support/graph-api-double.js';
import { scriptedModelOf, startApp, type RunningApp } from '../support/running-app.js';
import { aWebhookSecret, metaJson, metaSignature } from '../support/signing.js';
import { aWamid, someParties, textNotification } from '../support/whatsapp-notifications.js';

// Human handoff over real HTTP on the in-process topology (ROLE=all): Meta → listener → worker,
// an agent taking the conversation over through the API, replying once, and handing it back.

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function aLoop() {
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
    API_CALLBACK_SECRET: aWebhookSecret(),
    CALLBACK_ALLOWED_HOSTS: '127.0.0.1',
  });
  stops.push(() => app.stop());
  const parties = someParties();
  const conversationId = conversationIdFor('whatsapp', parties.phoneNumberId, parties.customer);
  const writes = async (body: string) => {
    const id = aWamid();
    const raw = metaJson(textNotification(parties, { id, body }));
    const response = await fetch(`${app.baseUrl}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, secrets.appSecret) }, body: raw });
    expect(response.status).toBe(200);
    await app.bus.idle();
    return id;
  };
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${secrets.apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const answer = { status: response.status, body: (await response.json()) as any };
    await app.bus.idle();
    return answer;
  };
  return { app, graph, parties, conversationId, writes, api, model: () => scriptedModelOf(app.runtime) };
}

const textOf = (send: { body: unknown }) => (send.body as { text?: { body: string } }).text?.body;

describe('human handoff (ROLE=all)', () => {
  it('takes a conversation over, shows what arrives meanwhile, sends an agent reply once, and hands it back with the history', async () => {
    const { app, graph, parties, conversationId, writes, api, model } = await aLoop();
    await writes('Hello, I have a question about my order');
    expect(graph.sends).toHaveLength(1);

    const taken = await api('POST', `/api/v1/conversations/${conversationId}/handoff`, { action: 'take', agent: 'Grace' });
    expect(taken).toMatchObject({ status: 200, body: { conversationId, mode: 'human', agent: 'Grace', changed: true } });

    // While a person holds it: stored and marked read (no typing indicator), never answered by the model.
    const meanwhile = await writes('Is anybody there?');
    expect(graph.sends).toHaveLength(1);
    expect(model().calls).toBe(1);
    expect(graph.readReceipts.at(-1)!.body).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: meanwhile });

    // The agent replies; a retried request with the same key is the same reply, sent once.
    const key = { 'idempotency-key': `reply-${randomUUID()}` };
    const first = await api('POST', `/api/v1/conversations/${conversationId}/replies`, { text: 'Hi, Grace here. Your order ships today.' }, key);
    const retried = await api('POST', `/api/v1/conversations/${conversationId}/replies`, { text: 'Hi, Grace here. Your order ships today.' }, key);
    expect(first).toMatchObject({ status: 202, body: { created: true, role: 'agent', agent: 'Grace' } });
    expect(retried).toMatchObject({ status: 202, body: { created: false, id: first.body.id } });
    await graph.waitForSends(2);
    await app.bus.idle();
    expect(graph.sends.map(textOf)).toEqual([expect.stringContaining('scripted model'), 'Hi, Grace here. Your order ships today.']);
    // A person's reply is its own message: it quotes nothing, and its statuses name it, not the bot's reply.
    expect(graph.sends[1]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: parties.customer,
      type: 'text',
      text: { body: 'Hi, Grace here. Your order ships today.', preview_url: false },
      biz_opaque_callback_data: `vocoeng:1:a:${first.body.id}`,
    });
    const reused = await api('POST', `/api/v1/conversations/${conversationId}/replies`, { text: 'something else' }, key);
    expect(reused).toMatchObject({ status: 409, body: { error: { code: 'idempotency_key_reused' } } });

    const transcript = await api('GET', `/api/v1/conversations/${conversationId}/messages`);
    expect(transcript.body.conversation.handoff).toMatchObject({ mode: 'human', agent: 'Grace' });
    expect(transcript.body.messages[1]).toMatchObject({ id: meanwhile, state: 'skipped', reply: null, agentReplies: [{ role: 'agent', agent: 'Grace', state: 'sent', text: 'Hi, Grace here. Your order ships today.' }] });

    // Handed back: the bot answers again, and the model sees what Grace said as a marked assistant turn.
    expect(await api('POST', `/api/v1/conversations/${conversationId}/handoff`, { action: 'release' })).toMatchObject({ status: 200, body: { mode: 'bot' } });
    await writes('Thanks! And when will it arrive?');
    expect(graph.sends).toHaveLength(3);
    const turns = model().requests.at(-1)!.turns;
    expect(turns).toContainEqual({ role: 'user', content: 'Is anybody there?' });
    expect(turns).toContainEqual({ role: 'assistant', content: expect.stringMatching(/^\[Grace, a person on our team, replied:\] Hi, Grace here/) });
    // The phone number and what was said stay out of the logs.
    expect(app.logText()).not.toContain(parties.customer);
    expect(app.logText()).not.toContain('Grace here');
  });

  it('refuses agent replies to a bot-held conversation, and answers a trigger phrase by queueing the conversation', async () => {
    const { graph, parties, conversationId, writes, api } = await aLoop();
    // Saved before the first message: the worker keeps a channel's settings for SETTINGS_TTL once read.
    const settings = await api('PUT', `/api/v1/channels/${parties.phoneNumberId}/settings`, { handoff: { triggers: ['real person'], text: 'Someone from our team will answer you here.' } });
    expect(settings.status).toBe(200);
    await writes('hi');
    expect(await api('POST', `/api/v1/conversations/${conversationId}/replies`, { text: 'x' })).toMatchObject({ status: 409, body: { error: { code: 'conversation_not_taken_over' } } });
    expect(await api('POST', `/api/v1/conversations/c_nobody/handoff`, { action: 'take' })).toMatchObject({ status: 404 });
    expect(await api('POST', `/api/v1/conversations/${conversationId}/handoff`, { action: 'steal' })).toMatchObject({ status: 400 });

    await writes('Can I speak to a REAL person please?');
    expect(graph.sends.map(textOf).at(-1)).toBe('Someone from our team will answer you here.');
    const waiting = await api('GET', '/api/v1/handoff/waiting');
    expect(waiting.body.items).toEqual([expect.objectContaining({ id: conversationId, requestedBy: 'trigger', participant: expect.stringContaining('•') })]);
    // Taking it clears it from the queue.
    await api('POST', `/api/v1/conversations/${conversationId}/handoff`, { action: 'take', agent: 'Ada' });
    expect((await api('GET', '/api/v1/handoff/waiting')).body.items).toEqual([]);
  });
});
