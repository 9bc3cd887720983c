import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signStandardWebhook } from '../../src/adapters/webhook/standard-webhooks.js';
import { signWhatsAppBody } from '../../src/adapters/whatsapp/signature.js';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import { roleHarness, ALL_CHANNELS_ENV, TEST_API_SECRET, TEST_APP_SECRET, TEST_VERIFY_TOKEN, type RoleHarness } from '../support/role-harness.js';
import {
  aMessageNotification,
  aNotification,
  aPhoneNumberId,
  aWaId,
  messagesValue,
  metaSerialise,
  wireStatus,
  wireText,
} from '../support/whatsapp-payloads.js';
import { closeHttpServers, rawRequestOverHttp, requestOverHttp } from '../support/over-http.js';

const THREE_MB = 3 * 1024 * 1024;

/**
 * Each POST suite runs twice: through Hono (`app.request`) and over HTTP to the server `main`
 * builds, where the webhook ingress answers before Hono. Both must behave the same.
 */
const ENTRY_POINTS = ['app.request', 'node:http ingress'] as const;
let entryPoint: (typeof ENTRY_POINTS)[number] = 'app.request';
afterEach(closeHttpServers);

function send(h: RoleHarness, path: string, init: RequestInit): Promise<Response> {
  if (entryPoint === 'app.request') return Promise.resolve(h.app.request(path, init));
  // fetch refuses a control character in a header value; a sender can still put one on the wire.
  const headerValues = Object.values((init.headers ?? {}) as Record<string, string>);
  if (headerValues.some((value) => /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value))) return rawRequestOverHttp(h.runtime, path, init as RequestInit & { body?: string });
  return requestOverHttp(h.runtime, path, init);
}

function postWhatsApp(h: RoleHarness, body: string | Uint8Array, signature: string | undefined, headers: Record<string, string> = {}) {
  return send(h, '/webhooks/whatsapp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }), ...headers },
    body,
  });
}

const postSigned = (h: RoleHarness, body: string | Uint8Array) => postWhatsApp(h, body, signWhatsAppBody(body, TEST_APP_SECRET));

/** A body stream without a length, sent in 64 KiB chunks (Transfer-Encoding: chunked on the wire). */
function chunkedStream(totalBytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      const size = Math.min(64 * 1024, totalBytes - sent);
      controller.enqueue(new Uint8Array(size).fill(0x20));
      sent += size;
    },
  });
}

function streamOf(bytes: Uint8Array, chunkSize = 1000): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

describe('Listener GET /webhooks/whatsapp (handshake)', () => {
  const handshake = (h: RoleHarness, params: Record<string, string>) =>
    h.app.request(`/webhooks/whatsapp?${new URLSearchParams(params).toString()}`);

  it('answers 200 with the challenge as the body when the verify token matches', async () => {
    const h = await roleHarness();
    const challenge = `challenge-${randomUUID()}`;

    const res = await handshake(h, { 'hub.mode': 'subscribe', 'hub.verify_token': TEST_VERIFY_TOKEN, 'hub.challenge': challenge });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(challenge);
  });

  it('answers 403 when the verify token is wrong', async () => {
    const h = await roleHarness();

    const res = await handshake(h, { 'hub.mode': 'subscribe', 'hub.verify_token': `${TEST_VERIFY_TOKEN}x`, 'hub.challenge': 'c-1' });

    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('c-1');
  });

  it('answers 403 when the mode is not subscribe', async () => {
    const h = await roleHarness();

    const res = await handshake(h, { 'hub.mode': 'unsubscribe', 'hub.verify_token': TEST_VERIFY_TOKEN, 'hub.challenge': 'c-2' });

    expect(res.status).toBe(403);
  });

  it('keeps the verify token out of the access log when the handshake succeeds', async () => {
    const h = await roleHarness();

    await handshake(h, { 'hub.mode': 'subscribe', 'hub.verify_token': TEST_VERIFY_TOKEN, 'hub.challenge': 'c-3' });

    expect(h.logs().some((entry) => entry.message.includes('/webhooks/whatsapp'))).toBe(true);
    expect(JSON.stringify(h.logs())).not.toContain(TEST_VERIFY_TOKEN);
  });
});

describe.each(ENTRY_POINTS)('Listener POST /webhooks/whatsapp through %s', (via) => {
  beforeEach(() => {
    entryPoint = via;
  });

  it('writes one access log line per notification, with what it published and without the text or the number', async () => {
    const h = await roleHarness();
    const from = aWaId();
    const body = JSON.stringify(aMessageNotification({ phoneNumberId: aPhoneNumberId(), from, name: 'Grace', messages: [wireText('Secret plans for Tuesday')] }));

    expect((await postSigned(h, body)).status).toBe(200);

    const lines = h.logs().filter((entry) => entry.message.startsWith('POST /webhooks/whatsapp'));
    expect(lines).toEqual([expect.objectContaining({ message: 'POST /webhooks/whatsapp 200', messages: 1, statuses: 0, published: 1 })]);
    expect(JSON.stringify(h.logs())).not.toContain('Secret plans');
    expect(JSON.stringify(h.logs())).not.toContain(from);
  });

  it('answers 200 and publishes every message with the conversation id as ordering key when the body is signed', async () => {
    const h = await roleHarness();
    const phoneNumberId = aPhoneNumberId();
    const from = aWaId();
    const first = wireText('Hello');
    const second = wireText('Are you there?');
    const body = JSON.stringify(aMessageNotification({ phoneNumberId, from, name: 'Grace', messages: [first, second] }));

    const res = await postSigned(h, body);

    expect(res.status).toBe(200);
    const conversationId = conversationIdFor('whatsapp', phoneNumberId, from);
    const published = h.bus.published('inbound');
    expect(published.map((m) => m.orderingKey)).toEqual([conversationId, conversationId]);
    expect(published.map((m) => m.event)).toEqual([
      {
        kind: 'message',
        message: expect.objectContaining({
          id: first.id,
          channel: 'whatsapp',
          accountId: phoneNumberId,
          conversationId,
          participant: { id: from, name: 'Grace' },
          content: { type: 'text', body: 'Hello' },
          sentAt: 1_764_072_000_000,
          receivedAt: h.clock.now(),
        }),
      },
      { kind: 'message', message: expect.objectContaining({ id: second.id, content: { type: 'text', body: 'Are you there?' } }) },
    ]);
  });

  it('publishes status events when the notification carries statuses', async () => {
    const h = await roleHarness();
    const phoneNumberId = aPhoneNumberId();
    const recipient = aWaId();
    const delivered = wireStatus('delivered', recipient);
    const read = wireStatus('read', recipient);
    const body = JSON.stringify(aNotification([{ changes: [{ value: messagesValue({ phoneNumberId, statuses: [delivered, read] }) }] }]));

    const res = await postSigned(h, body);

    expect(res.status).toBe(200);
    const conversationId = conversationIdFor('whatsapp', phoneNumberId, recipient);
    expect(h.bus.published('inbound').map((m) => [m.event.kind, m.orderingKey])).toEqual([
      ['status', conversationId],
      ['status', conversationId],
    ]);
    expect(h.bus.events('inbound')).toEqual([
      { kind: 'status', status: expect.objectContaining({ outboundId: delivered.id, status: 'delivered', recipientId: recipient, accountId: phoneNumberId, at: 1_764_072_060_000 }) },
      { kind: 'status', status: expect.objectContaining({ outboundId: read.id, status: 'read' }) },
    ]);
  });

  it('answers 401 and publishes nothing when the signature header is missing', async () => {
    const h = await roleHarness();
    const body = JSON.stringify(aMessageNotification({ messages: [wireText('hi')] }));

    const res = await postWhatsApp(h, body, undefined);

    expect(res.status).toBe(401);
    expect(h.bus.empty).toBe(true);
  });

  it('answers 401 and publishes nothing when the body is signed with another secret', async () => {
    const h = await roleHarness();
    const body = JSON.stringify(aMessageNotification({ messages: [wireText('hi')] }));

    const res = await postWhatsApp(h, body, signWhatsAppBody(body, 'some-other-app-secret'));

    expect(res.status).toBe(401);
    expect(h.bus.empty).toBe(true);
  });

  it('answers 401 and publishes nothing when the signature is of a different body', async () => {
    const h = await roleHarness();
    const body = JSON.stringify(aMessageNotification({ messages: [wireText('pay 10 EUR')] }));
    const tampered = body.replace('pay 10 EUR', 'pay 99 EUR');

    const res = await postWhatsApp(h, tampered, signWhatsAppBody(body, TEST_APP_SECRET));

    expect(res.status).toBe(401);
    expect(h.bus.empty).toBe(true);
  });

  describe('with non-ASCII text', () => {
    const text = 'Grüße aus Köln 👋🏽 — ¿qué tal? 日本語 / done';

    it('answers 200 and parses the exact text when Meta-style escaped bytes are signed', async () => {
      const h = await roleHarness();
      const message = wireText(text);
      const raw = metaSerialise(aMessageNotification({ name: 'Zoë 🌸', messages: [message] }));
      expect(raw).toMatch(/^[\x20-\x7e]+$/);
      expect(raw).toContain('\\ud83d\\udc4b');

      const res = await postSigned(h, raw);

      expect(res.status).toBe(200);
      const [event] = h.bus.events('inbound');
      expect(event).toMatchObject({ kind: 'message', message: { id: message.id, content: { type: 'text', body: text }, participant: { name: 'Zoë 🌸' } } });
    });

    it('answers 200 and parses the exact text when raw UTF-8 bytes are signed', async () => {
      const h = await roleHarness();
      const message = wireText(text);
      const raw = new TextEncoder().encode(JSON.stringify(aMessageNotification({ messages: [message] })));

      const res = await postSigned(h, raw);

      expect(res.status).toBe(200);
      expect(h.bus.events('inbound')).toMatchObject([{ kind: 'message', message: { id: message.id, content: { type: 'text', body: text } } }]);
    });

    it('answers 401 and publishes nothing when the signature was computed over re-serialised JSON', async () => {
      const h = await roleHarness();
      const raw = metaSerialise(aMessageNotification({ messages: [wireText(text)] }));
      const reserialised = JSON.stringify(JSON.parse(raw));

      const res = await postWhatsApp(h, raw, signWhatsAppBody(reserialised, TEST_APP_SECRET));

      expect(res.status).toBe(401);
      expect(h.bus.empty).toBe(true);
    });
  });

  it('answers 400 and publishes nothing when the signed body is not JSON', async () => {
    const h = await roleHarness();

    const res = await postSigned(h, '{"object":"whatsapp_business_account","entry":[');

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    expect(h.bus.empty).toBe(true);
  });

  it('answers 400 and publishes nothing when the signed JSON is not a WhatsApp notification', async () => {
    const h = await roleHarness();

    const res = await postSigned(h, JSON.stringify({ object: 'page', entry: [{ id: '1', time: 1, messaging: [] }] }));

    expect(res.status).toBe(400);
    expect(h.bus.empty).toBe(true);
  });

  it('answers 200, publishes every usable message and counts the unusable one in the logs when the second change holds a message without a sender', async () => {
    const h = await roleHarness();
    const [phoneA, phoneB] = [aPhoneNumberId(), aPhoneNumberId()];
    const [ana, ben, cai] = [aWaId(), aWaId(), aWaId()];
    const a1 = wireText('first from Ana', { from: ana });
    const b1 = wireText('first from Ben', { from: ben });
    const anonymous = wireText('Nobody sent this secret');
    const c1 = wireText('first from Cai', { from: cai });
    const read = wireStatus('read', cai);
    const body = JSON.stringify(
      aNotification([
        {
          changes: [
            { value: messagesValue({ phoneNumberId: phoneA, contacts: [{ waId: ana, name: 'Ana' }], messages: [a1] }) },
            { value: messagesValue({ phoneNumberId: phoneA, contacts: [{ waId: ben, name: 'Ben' }], messages: [anonymous, b1] }) },
          ],
        },
        { changes: [{ value: messagesValue({ phoneNumberId: phoneB, contacts: [{ waId: cai, name: 'Cai' }], messages: [c1], statuses: [read] }) }] },
      ]),
    );

    const res = await postSigned(h, body);

    expect(res.status).toBe(200);
    expect(await res.text()).toBe('EVENT_RECEIVED');
    expect(h.bus.events('inbound').map((event) => (event.kind === 'message' ? event.message.id : event.kind === 'status' ? event.status.outboundId : event.replyId))).toEqual([a1.id, b1.id, c1.id, read.id]);
    const access = h.logs().filter((entry) => entry.message.startsWith('POST /webhooks/whatsapp'));
    expect(access).toEqual([expect.objectContaining({ message: 'POST /webhooks/whatsapp 200', messages: 3, statuses: 1, published: 4, skipped: 1 })]);
    expect(h.logs()).toContainEqual(
      expect.objectContaining({
        severity: 'WARNING',
        message: 'whatsapp notification items skipped',
        skipped: 1,
        items: [{ at: 'entry[0].changes[1].value.messages[0]', reason: expect.stringMatching(/^from: /) }],
      }),
    );
    const logged = JSON.stringify(h.logs());
    for (const secret of ['Nobody sent this secret', 'first from', ana, ben, cai]) expect(logged).not.toContain(secret);
  });

  it('answers 200 and publishes nothing but counts the item when the only message of a notification has no sender', async () => {
    const h = await roleHarness();
    const body = JSON.stringify(aNotification([{ changes: [{ value: messagesValue({ phoneNumberId: aPhoneNumberId(), messages: [wireText('hi')] }) }] }]));

    const res = await postSigned(h, body);

    expect(res.status).toBe(200);
    expect(h.bus.empty).toBe(true);
    expect(h.bus.attempts).toEqual([]);
    expect(h.logs().filter((entry) => entry.message.startsWith('POST /webhooks/whatsapp'))).toEqual([expect.objectContaining({ published: 0, skipped: 1 })]);
  });

  it('answers 200 and publishes nothing when the change is not a messages field', async () => {
    const h = await roleHarness();
    const body = JSON.stringify(
      aNotification([{ changes: [{ field: 'account_update', value: { phone_number: '15550001111', event: 'VERIFIED_ACCOUNT' } }] }]),
    );

    const res = await postSigned(h, body);

    expect(res.status).toBe(200);
    expect(h.bus.empty).toBe(true);
    expect(h.bus.attempts).toEqual([]);
  });

  it('answers 503, claims nothing as accepted and publishes nothing when the publish fails', async () => {
    const h = await roleHarness();
    h.bus.failNextPublishes(1);
    const body = JSON.stringify(aMessageNotification({ messages: [wireText('hello')] }));

    const res = await postSigned(h, body);

    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).not.toContain('EVENT_RECEIVED');
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'publish_failed' } });
    expect(h.bus.empty).toBe(true);
    expect(h.logs().some((entry) => entry.published !== undefined)).toBe(false);
  });

  it('answers 200 when Meta retries after a publish failure', async () => {
    const h = await roleHarness();
    h.bus.failNextPublishes(1);
    const message = wireText('retry me');
    const body = JSON.stringify(aMessageNotification({ messages: [message] }));

    expect((await postSigned(h, body)).status).toBe(503);
    expect((await postSigned(h, body)).status).toBe(200);

    expect(h.bus.events('inbound')).toMatchObject([{ kind: 'message', message: { id: message.id } }]);
  });

  describe('over 3 MB', () => {
    it('answers 413 and publishes nothing when Content-Length says so', async () => {
      const h = await roleHarness();
      const body = ' '.repeat(THREE_MB + 1);

      const res = await postWhatsApp(h, body, signWhatsAppBody(body, TEST_APP_SECRET), { 'content-length': String(body.length) });

      expect(res.status).toBe(413);
      expect(h.bus.empty).toBe(true);
    });

    it('answers 413 and publishes nothing when a chunked body without Content-Length grows past the limit', async () => {
      const h = await roleHarness();

      const res = await send(h, '/webhooks/whatsapp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
        body: chunkedStream(THREE_MB + 1),
        duplex: 'half',
      });

      expect(res.status).toBe(413);
      expect(h.bus.empty).toBe(true);
    });
  });

  it('answers 200 when a signed chunked body without Content-Length is under the limit', async () => {
    const h = await roleHarness();
    const message = wireText('streamed 🚀');
    const raw = new TextEncoder().encode(JSON.stringify(aMessageNotification({ messages: [message] })));

    const res = await send(h, '/webhooks/whatsapp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppBody(raw, TEST_APP_SECRET) },
      body: streamOf(raw, 7),
      duplex: 'half',
    });

    expect(res.status).toBe(200);
    expect(h.bus.events('inbound')).toMatchObject([{ message: { id: message.id, content: { body: 'streamed 🚀' } } }]);
  });

  it('answers 503 and publishes nothing when WhatsApp is not configured', async () => {
    const h = await roleHarness({ env: { ROLE: 'all', API_WEBHOOK_SECRET: TEST_API_SECRET } });
    const body = JSON.stringify(aMessageNotification({ messages: [wireText('hi')] }));

    const res = await postWhatsApp(h, body, signWhatsAppBody(body, TEST_APP_SECRET));

    expect(res.status).toBe(503);
    expect(h.bus.empty).toBe(true);
  });
});

describe.each(ENTRY_POINTS)('Listener POST /webhooks/api through %s', (via) => {
  beforeEach(() => {
    entryPoint = via;
  });

  function postApi(h: RoleHarness, body: string, headers: Record<string, string>) {
    return send(h, '/webhooks/api', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  }

  function signedHeaders(body: string, options: { id?: string; timestamp?: number; secret?: string }) {
    const id = options.id ?? `msg_${randomUUID()}`;
    const timestamp = options.timestamp ?? 0;
    return {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(options.secret ?? TEST_API_SECRET, id, timestamp, body),
    };
  }

  const nowSeconds = (h: RoleHarness) => Math.floor(h.clock.now() / 1000);

  it('answers 202 with the message and conversation ids and publishes the message when the signature is valid', async () => {
    const h = await roleHarness();
    const id = `msg_${randomUUID()}`;
    const userId = `user-${randomUUID()}`;
    const body = JSON.stringify({ userId, text: 'Wie spät ist es? ⏰', metadata: { orderId: 'o-1' }, callbackUrl: 'https://client.example.com/hook' });

    const res = await postApi(h, body, signedHeaders(body, { id, timestamp: nowSeconds(h) }));

    expect(res.status).toBe(202);
    const conversationId = conversationIdFor('api', 'default', `user:${userId}`);
    expect(await res.json()).toEqual({ messageId: id, conversationId });
    const published = h.bus.published('inbound');
    expect(published).toHaveLength(1);
    expect(published[0]!.orderingKey).toBe(conversationId);
    expect(published[0]!.event).toEqual({
      kind: 'message',
      message: {
        id,
        channel: 'api',
        accountId: 'default',
        conversationId,
        participant: { id: userId },
        content: { type: 'text', body: 'Wie spät ist es? ⏰' },
        sentAt: h.clock.now(),
        receivedAt: h.clock.now(),
        callbackUrl: 'https://client.example.com/hook',
        metadata: { orderId: 'o-1' },
      },
    });
  });

  it('files the message under the client conversation id when one is given', async () => {
    const h = await roleHarness();
    const body = JSON.stringify({ conversationId: 'ticket-42', userId: 'u-1', text: 'hello' });

    const res = await postApi(h, body, signedHeaders(body, { timestamp: nowSeconds(h) }));

    expect(res.status).toBe(202);
    expect((await res.json()) as unknown).toMatchObject({ conversationId: conversationIdFor('api', 'default', 'conversation:ticket-42') });
  });

  it('answers 202 when one of several signatures in the header is valid', async () => {
    const h = await roleHarness();
    const body = JSON.stringify({ userId: 'u-2', text: 'hello' });
    const headers = signedHeaders(body, { timestamp: nowSeconds(h) });
    const rotated = signStandardWebhook('whsec_c29tZSBvbGQgc2VjcmV0IGtleSB2YWx1ZQ==', headers['webhook-id'], nowSeconds(h), body);

    const res = await postApi(h, body, { ...headers, 'webhook-signature': `${rotated} ${headers['webhook-signature']}` });

    expect(res.status).toBe(202);
  });

  it.each([
    ['webhook-id'],
    ['webhook-timestamp'],
    ['webhook-signature'],
  ])('answers 401 and publishes nothing when the %s header is missing', async (header) => {
    const h = await roleHarness();
    const body = JSON.stringify({ userId: 'u-3', text: 'hello' });
    const headers: Record<string, string> = signedHeaders(body, { timestamp: nowSeconds(h) });
    delete headers[header];

    const res = await postApi(h, body, headers);

    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    expect(h.bus.empty).toBe(true);
  });

  it('answers 401 and publishes nothing when the signature is made with another secret', async () => {
    const h = await roleHarness();
    const body = JSON.stringify({ userId: 'u-4', text: 'hello' });

    const res = await postApi(h, body, signedHeaders(body, { timestamp: nowSeconds(h), secret: 'whsec_c29tZSBvdGhlciBzZWNyZXQ=' }));

    expect(res.status).toBe(401);
    expect(h.bus.empty).toBe(true);
  });

  it('answers 401 and publishes nothing when the body was changed after signing', async () => {
    const h = await roleHarness();
    const body = JSON.stringify({ userId: 'u-5', text: 'hello' });
    const headers = signedHeaders(body, { timestamp: nowSeconds(h) });

    const res = await postApi(h, body.replace('hello', 'HELLO'), headers);

    expect(res.status).toBe(401);
    expect(h.bus.empty).toBe(true);
  });

  it.each([
    ['older', -301],
    ['newer', 301],
  ])('answers 401 and publishes nothing when the timestamp is more than 5 minutes %s than now', async (_, offset) => {
    const h = await roleHarness();
    const body = JSON.stringify({ userId: 'u-6', text: 'hello' });

    const res = await postApi(h, body, signedHeaders(body, { timestamp: nowSeconds(h) + offset }));

    expect(res.status).toBe(401);
    expect(h.bus.empty).toBe(true);
  });

  it('answers 202 when the timestamp is just inside the 5 minute tolerance', async () => {
    const h = await roleHarness();
    const body = JSON.stringify({ userId: 'u-7', text: 'hello' });

    const res = await postApi(h, body, signedHeaders(body, { timestamp: nowSeconds(h) - 299 }));

    expect(res.status).toBe(202);
  });

  it.each([
    ['userId is missing', { text: 'hello' }, /userId/],
    ['text is empty', { userId: 'u-8', text: '' }, /text/],
    ['text is only whitespace', { userId: 'u-8', text: '   ' }, /text/],
    ['userId is empty', { userId: '', text: 'hello' }, /userId/],
    ['callbackUrl is not http(s)', { userId: 'u-8', text: 'hello', callbackUrl: 'file:///etc/passwd' }, /callbackUrl/],
    ['metadata values are not strings', { userId: 'u-8', text: 'hello', metadata: { n: 1 } }, /metadata/],
  ])('answers 400 with a reason and publishes nothing when %s', async (_, payload, reason) => {
    const h = await roleHarness();
    const body = JSON.stringify(payload);

    const res = await postApi(h, body, signedHeaders(body, { timestamp: nowSeconds(h) }));

    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe('validation_failed');
    expect(json.error.message).toMatch(reason);
    expect(h.bus.empty).toBe(true);
  });

  it.each([
    ['a field a callback carries', { userId: 'u-13', text: 'hello', inReplyTo: 'msg_1' }, /inReplyTo/],
    ['a misspelt field', { userId: 'u-13', text: 'hello', callbackURL: 'https://client.example.com/hook' }, /callbackURL/],
    ['several unknown fields', { type: 'message.reply', userId: 'u-13', text: 'hello', part: 0 }, /type.*part|part.*type/],
  ])('answers 400 naming the field and publishes nothing when the body has %s', async (_, payload, reason) => {
    const h = await roleHarness();
    const body = JSON.stringify(payload);

    const res = await postApi(h, body, signedHeaders(body, { timestamp: nowSeconds(h) }));

    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe('validation_failed');
    expect(json.error.message).toMatch(reason);
    expect(h.bus.empty).toBe(true);
    expect(h.bus.attempts).toEqual([]);
  });

  it('answers 202 when metadata holds keys of its own choosing', async () => {
    const h = await roleHarness();
    const body = JSON.stringify({ userId: 'u-14', text: 'hello', metadata: { type: 'x', part: '1', anything: 'goes' } });

    const res = await postApi(h, body, signedHeaders(body, { timestamp: nowSeconds(h) }));

    expect(res.status).toBe(202);
    expect(h.bus.events('inbound')).toMatchObject([{ message: { metadata: { type: 'x', part: '1', anything: 'goes' } } }]);
  });

  it.each([
    ['longer than 256 characters', `msg_${'a'.repeat(253)}`],
    ['holding a space', 'msg_with space'],
    ['holding a non-ASCII character', 'msg_caf\u00e9'],
    ['holding a control character', 'msg_\u007f'],
  ])('answers 400 with a reason and publishes nothing when the webhook-id is %s', async (_, id) => {
    const h = await roleHarness();
    const body = JSON.stringify({ userId: 'u-15', text: 'hello' });

    const res = await postApi(h, body, signedHeaders(body, { id, timestamp: nowSeconds(h) }));

    expect(res.status).toBe(400);
    if (entryPoint !== 'app.request' && /\p{Cc}/u.test(id)) {
      // On the wire Node's HTTP parser refuses such a header itself: a bare 400, before any of our code.
      expect(await res.text()).toBe('');
    } else {
      const json = (await res.json()) as { error: { code: string; message: string } };
      expect(json.error.code).toBe('validation_failed');
      expect(json.error.message).toMatch(/webhook-id/);
    }
    expect(h.bus.empty).toBe(true);
    expect(h.bus.attempts).toEqual([]);
  });

  it('answers 202 when the webhook-id is 256 printable ASCII characters', async () => {
    const h = await roleHarness();
    const id = `msg_${'~!#$%&*+/=?^_|'.repeat(18).slice(0, 252)}`;
    expect(id).toHaveLength(256);
    const body = JSON.stringify({ userId: 'u-16', text: 'hello' });

    const res = await postApi(h, body, signedHeaders(body, { id, timestamp: nowSeconds(h) }));

    expect(res.status).toBe(202);
    expect(h.bus.events('inbound')).toMatchObject([{ message: { id } }]);
  });

  it('answers 400 and publishes nothing when the signed body is not JSON', async () => {
    const h = await roleHarness();
    const body = 'userId=u-9&text=hello';

    const res = await postApi(h, body, signedHeaders(body, { timestamp: nowSeconds(h) }));

    expect(res.status).toBe(400);
    expect(h.bus.empty).toBe(true);
  });

  it('answers 503 when the publish fails', async () => {
    const h = await roleHarness();
    h.bus.failNextPublishes(1);
    const body = JSON.stringify({ userId: 'u-10', text: 'hello' });

    const res = await postApi(h, body, signedHeaders(body, { timestamp: nowSeconds(h) }));

    expect(res.status).toBe(503);
    expect(h.bus.empty).toBe(true);
  });

  it('answers 503 and publishes nothing when the channel is not configured', async () => {
    const env = { ...ALL_CHANNELS_ENV };
    delete env.API_WEBHOOK_SECRET;
    const h = await roleHarness({ env });
    const body = JSON.stringify({ userId: 'u-11', text: 'hello' });

    const res = await postApi(h, body, signedHeaders(body, { timestamp: nowSeconds(h) }));

    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'channel_not_configured' } });
    expect(h.bus.empty).toBe(true);
  });

  it('answers 413 and publishes nothing when the body is over the API limit', async () => {
    const h = await roleHarness();
    const body = JSON.stringify({ userId: 'u-12', text: 'x'.repeat(70 * 1024) });

    const res = await postApi(h, body, signedHeaders(body, { timestamp: nowSeconds(h) }));

    expect(res.status).toBe(413);
    expect(h.bus.empty).toBe(true);
  });
});

describe('Listener webhook POSTs, Hono and the node:http ingress side by side', () => {
  // Set by Node on every response, or different per request.
  const perConnection = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);
  const headersOf = (res: Response) => Object.fromEntries([...res.headers.entries()].filter(([name]) => !perConnection.has(name)));
  const perRequest = ['timestamp', 'logging.googleapis.com/insertId', 'logging.googleapis.com/trace', 'logging.googleapis.com/spanId'];
  const accessLinesOf = (h: RoleHarness) =>
    h
      .logs()
      .filter((entry) => entry.message.startsWith('POST /webhooks/'))
      .map((entry) => ({ ...Object.fromEntries(Object.entries(entry).filter(([key]) => !perRequest.includes(key))), httpRequest: { ...(entry.httpRequest as object), latency: 'masked' } }));

  it.each([
    ['a signed notification', (body: string) => signWhatsAppBody(body, TEST_APP_SECRET), 200],
    ['a wrong signature', () => `sha256=${'0'.repeat(64)}`, 401],
  ])('answers %s with the same status, headers, body and access line', async (_, sign, status) => {
    const body = JSON.stringify(aMessageNotification({ messages: [wireText('hello')] }));
    const init = () => ({ method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'facebookexternalua', 'x-hub-signature-256': sign(body) }, body });
    const viaHono = await roleHarness();
    const viaIngress = await roleHarness();

    const hono = await requestOverHttp(viaHono.runtime, '/webhooks/whatsapp', init(), 'app');
    const ingress = await requestOverHttp(viaIngress.runtime, '/webhooks/whatsapp', init());

    expect(ingress.status).toBe(status);
    expect(hono.status).toBe(status);
    expect(headersOf(ingress)).toEqual(headersOf(hono));
    expect(headersOf(ingress)).toMatchObject({ 'x-content-type-options': 'nosniff', 'strict-transport-security': expect.any(String) });
    expect(await ingress.text()).toBe(await hono.text());
    expect(accessLinesOf(viaIngress)).toEqual(accessLinesOf(viaHono));
    expect(accessLinesOf(viaIngress)).toHaveLength(1);
  });

  it('continues the sender trace on the access line', async () => {
    const h = await roleHarness();
    const body = JSON.stringify(aMessageNotification({ messages: [wireText('hello')] }));
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

    await requestOverHttp(h.runtime, '/webhooks/whatsapp?x=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-hub-signature-256': signWhatsAppBody(body, TEST_APP_SECRET) },
      body,
    });

    expect(h.logs().filter((entry) => entry.message === 'POST /webhooks/whatsapp 200')).toEqual([
      expect.objectContaining({ 'logging.googleapis.com/trace': `projects/local/traces/${traceId}`, 'logging.googleapis.com/spanId': '00f067aa0ba902b7', 'logging.googleapis.com/trace_sampled': true }),
    ]);
  });
});
