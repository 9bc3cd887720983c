import { afterEach, describe, expect, it } from 'vitest';
import { verifyStandardWebhook } from '../../../src/adapters/webhook/standard-webhooks.js';
import { WebhookReplyChannel } from '../../../src/adapters/webhook/webhook-reply-channel.js';
import { CallbackReceiver, type CallbackRequest } from '../../support/callback-receiver.js';
import { aFreePort } from '../../support/ports.js';
import { aWebhookSecret } from '../../support/signing.js';
import { sendError } from '../../support/send-error.js';
import { anApiMessage as anOrderMessage } from '../../support/builders.js';

const receivers: CallbackReceiver[] = [];

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
});

async function aReceiver(): Promise<CallbackReceiver> {
  const receiver = new CallbackReceiver();
  receivers.push(receiver);
  await receiver.start();
  return receiver;
}

const LOOPBACK_ALLOWED = new Set(['127.0.0.1']);

/** An API message whose client sent metadata along, which the callback carries back. */
const anApiMessage = (callbackUrl: string | undefined) => anOrderMessage(callbackUrl, { metadata: { orderId: '42' } });

const headersOf = (request: CallbackRequest) => ({
  id: request.headers['webhook-id'] as string | undefined,
  timestamp: request.headers['webhook-timestamp'] as string | undefined,
  signature: request.headers['webhook-signature'] as string | undefined,
});

describe('WebhookReplyChannel', () => {
  it('posts the reply signed with Standard Webhooks to the callbackUrl when its host is allowed', async () => {
    const receiver = await aReceiver();
    const secret = aWebhookSecret();
    const message = anApiMessage(`${receiver.baseUrl}/hooks/replies?tenant=7`);
    const channel = new WebhookReplyChannel({ secret, allowedHosts: LOOPBACK_ALLOWED });

    const result = await channel.send({ inReplyTo: message, text: 'It ships tomorrow. 📦', part: 0 });

    const [request] = receiver.requests;
    expect(receiver.requests).toHaveLength(1);
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/hooks/replies?tenant=7');
    expect(request!.headers['content-type']).toMatch(/^application\/json/);
    const verified = verifyStandardWebhook(secret, headersOf(request!), request!.rawBody, Math.floor(Date.now() / 1000));
    expect(verified).toMatchObject({ ok: true, id: `reply_${message.id}` });
    expect(JSON.parse(request!.rawBody.toString('utf8'))).toEqual({
      type: 'message.reply',
      inReplyTo: message.id,
      conversationId: message.conversationId,
      userId: message.participant.id,
      text: 'It ships tomorrow. 📦',
      part: 0,
      metadata: { orderId: '42' },
    });
    expect(result).toEqual({ kind: 'sent', outboundIds: [`reply_${message.id}`] });
  });

  it('gives each later part of a long reply its own signed webhook-id reply_<id>_<part> and says the part in the body', async () => {
    const receiver = await aReceiver();
    const secret = aWebhookSecret();
    const message = anApiMessage(`${receiver.baseUrl}/replies`);
    const channel = new WebhookReplyChannel({ secret, allowedHosts: LOOPBACK_ALLOWED });

    const results = [
      await channel.send({ inReplyTo: message, text: 'Part one.', part: 0 }),
      await channel.send({ inReplyTo: message, text: 'Part two.', part: 1 }),
      await channel.send({ inReplyTo: message, text: 'Part three.', part: 2 }),
    ];

    const ids = [`reply_${message.id}`, `reply_${message.id}_1`, `reply_${message.id}_2`];
    expect(receiver.requests.map((request) => request.headers['webhook-id'])).toEqual(ids);
    expect(results).toEqual(ids.map((id) => ({ kind: 'sent', outboundIds: [id] })));
    const now = Math.floor(Date.now() / 1000);
    for (const [index, request] of receiver.requests.entries()) {
      expect(verifyStandardWebhook(secret, headersOf(request), request.rawBody, now)).toMatchObject({ ok: true, id: ids[index] });
    }
    expect(receiver.requests.map((request) => JSON.parse(request.rawBody.toString('utf8')))).toEqual(
      ['Part one.', 'Part two.', 'Part three.'].map((text, part) => ({
        type: 'message.reply',
        inReplyTo: message.id,
        conversationId: message.conversationId,
        userId: message.participant.id,
        text,
        part,
        metadata: { orderId: '42' },
      })),
    );
  });

  it('posts nothing to acknowledge a message and answers unsent to a template, because templates are WhatsApp-only', async () => {
    const receiver = await aReceiver();
    const message = anApiMessage(`${receiver.baseUrl}/replies`);
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: LOOPBACK_ALLOWED });

    await expect(channel.acknowledge(message)).resolves.toBeUndefined();
    const result = await channel.sendTemplate(message, { name: 'hello_again', language: 'en' });

    expect(result).toEqual({ kind: 'unsent', reason: 'templates_are_whatsapp_only' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('fails verification with another secret when the receiver checks the signature', async () => {
    const receiver = await aReceiver();
    const message = anApiMessage(`${receiver.baseUrl}/replies`);

    await new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: LOOPBACK_ALLOWED }).send({ inReplyTo: message, text: 'hi', part: 0 });

    const [request] = receiver.requests;
    const verified = verifyStandardWebhook(aWebhookSecret(), headersOf(request!), request!.rawBody, Math.floor(Date.now() / 1000));
    expect(verified).toEqual({ ok: false, reason: 'no valid webhook-signature' });
  });

  it('keeps the same webhook-id when the same reply is sent again', async () => {
    const receiver = await aReceiver();
    const message = anApiMessage(`${receiver.baseUrl}/replies`);
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: LOOPBACK_ALLOWED });

    await channel.send({ inReplyTo: message, text: 'first try', part: 0 });
    await channel.send({ inReplyTo: message, text: 'first try', part: 0 });
    await channel.send({ inReplyTo: anApiMessage(`${receiver.baseUrl}/replies`), text: 'another message', part: 0 });

    const ids = receiver.requests.map((request) => request.headers['webhook-id']);
    expect(ids[0]).toBe(`reply_${message.id}`);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('refuses a loopback callbackUrl with the non-retryable reason callback-url-forbidden and sends nothing when no host is allowed', async () => {
    const receiver = await aReceiver();
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: new Set() });

    const byAddress = await sendError(channel.send({ inReplyTo: anApiMessage(`${receiver.baseUrl}/replies`), text: 'hi', part: 0 }));
    const byName = await sendError(
      channel.send({ inReplyTo: anApiMessage(`http://localhost:${new URL(receiver.baseUrl).port}/replies`), text: 'hi', part: 0 }),
    );

    expect(byAddress).toMatchObject({ retryable: false, reason: 'callback_url_forbidden' });
    expect(byName).toMatchObject({ retryable: false, reason: 'callback_url_forbidden' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('answers unsent with no-callback-url and sends nothing when the message has no callbackUrl', async () => {
    const receiver = await aReceiver();
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: LOOPBACK_ALLOWED });

    const result = await channel.send({ inReplyTo: anApiMessage(undefined), text: 'hi', part: 0 });

    expect(result).toEqual({ kind: 'unsent', reason: 'no_callback_url' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('rejects with a retryable callback-http-500 error when the callback answers 500', async () => {
    const receiver = await aReceiver();
    receiver.answerNext(1, { status: 500 });
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: LOOPBACK_ALLOWED });

    const error = await sendError(channel.send({ inReplyTo: anApiMessage(`${receiver.baseUrl}/replies`), text: 'hi', part: 0 }));

    expect(receiver.requests).toHaveLength(1);
    expect(error).toMatchObject({ retryable: true, reason: 'callback_http_500' });
  });

  it('rejects with a non-retryable callback-http-400 error when the callback answers 400', async () => {
    const receiver = await aReceiver();
    receiver.answerNext(1, { status: 400 });
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: LOOPBACK_ALLOWED });

    const error = await sendError(channel.send({ inReplyTo: anApiMessage(`${receiver.baseUrl}/replies`), text: 'hi', part: 0 }));

    expect(receiver.requests).toHaveLength(1);
    expect(error).toMatchObject({ retryable: false, reason: 'callback_http_400' });
  });

  it('does not follow a redirect when the callback answers 307', async () => {
    const receiver = await aReceiver();
    receiver.answerNext(1, { status: 307, headers: { location: `${receiver.baseUrl}/elsewhere` } });
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: LOOPBACK_ALLOWED });

    const error = await sendError(channel.send({ inReplyTo: anApiMessage(`${receiver.baseUrl}/replies`), text: 'hi', part: 0 }));

    expect(receiver.requests.map((request) => request.path)).toEqual(['/replies']);
    expect(error).toMatchObject({ retryable: false, reason: 'callback_http_307' });
  });

  it('rejects with a retryable callback-unreachable error when nothing listens at the callbackUrl', async () => {
    const port = await aFreePort();
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: LOOPBACK_ALLOWED });

    const error = await sendError(channel.send({ inReplyTo: anApiMessage(`http://127.0.0.1:${port}/replies`), text: 'hi', part: 0 }));

    expect(error).toMatchObject({ retryable: true, reason: 'callback_unreachable' });
  });

  it('rejects with the non-retryable reason send-outcome-unknown when the receiver reads the callback and closes the connection without answering', async () => {
    const receiver = await aReceiver();
    receiver.dropNext(1);
    const channel = new WebhookReplyChannel({ secret: aWebhookSecret(), allowedHosts: LOOPBACK_ALLOWED });

    const error = await sendError(channel.send({ inReplyTo: anApiMessage(`${receiver.baseUrl}/replies`), text: 'hi', part: 0 }));

    expect(error).toMatchObject({ retryable: false, reason: 'send_outcome_unknown' });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]).toMatchObject({ path: '/replies', dropped: true });
  });
});
