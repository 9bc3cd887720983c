import { randomInt } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WhatsAppGraphReplyChannel } from '../../../src/adapters/whatsapp/whatsapp-reply-channel.js';
import type { InboundMessage } from '../../../src/domain/model/message.js';
import { ReplySendError } from '../../../src/domain/ports/reply-channel.js';
import { aMessage } from '../../support/builders.js';
import { GraphApiDouble, type GraphFailure } from '../../support/graph-api-double.js';
import { aFreePort } from '../../support/ports.js';

const VERSION = 'v23.0';
const doubles: GraphApiDouble[] = [];

afterEach(async () => {
  await Promise.all(doubles.splice(0).map((double) => double.stop()));
});

async function aDouble(): Promise<GraphApiDouble> {
  const double = new GraphApiDouble();
  doubles.push(double);
  await double.start();
  return double;
}

function channelFor(double: GraphApiDouble, options: { accessToken?: string; timeoutMs?: number; baseUrl?: string } = {}) {
  return new WhatsAppGraphReplyChannel({
    baseUrl: options.baseUrl ?? double.baseUrl,
    apiVersion: VERSION,
    accessToken: options.accessToken ?? double.accessToken,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}

const aWhatsAppMessage = (text = 'Do you deliver on Sundays?'): InboundMessage =>
  aMessage({ accountId: String(randomInt(100_000_000_000, 999_999_999_999)), text });

async function sendError(promise: Promise<unknown>): Promise<ReplySendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReplySendError);
  return error as ReplySendError;
}

describe('WhatsAppGraphReplyChannel', () => {
  it('posts the exact Graph text message with the bearer token to /{version}/{phone_number_id}/messages when sending a reply', async () => {
    const double = await aDouble();
    const message = aWhatsAppMessage();

    const result = await channelFor(double).send({ inReplyTo: message, text: 'Yes, from 10 to 16 h. ☀️' });

    const [request] = double.requests;
    expect(double.requests).toHaveLength(1);
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(`/${VERSION}/${message.accountId}/messages`);
    expect(request!.headers.authorization).toBe(`Bearer ${double.accessToken}`);
    expect(request!.headers['content-type']).toMatch(/^application\/json/);
    expect(request!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: message.participant.id,
      type: 'text',
      text: { body: 'Yes, from 10 to 16 h. ☀️', preview_url: false },
      context: { message_id: message.id },
    });
    expect(result).toEqual({ kind: 'sent', outboundIds: double.acceptedIds });
    expect(double.acceptedIds[0]).toMatch(/^wamid\./);
  });

  it('joins the base URL without a double slash when WHATSAPP_API_BASE_URL ends with a slash', async () => {
    const double = await aDouble();
    const message = aWhatsAppMessage();

    await channelFor(double, { baseUrl: `${double.baseUrl}/` }).send({ inReplyTo: message, text: 'ok' });

    expect(double.requests.map((r) => r.path)).toEqual([`/${VERSION}/${message.accountId}/messages`]);
  });

  it('rejects with a non-retryable token-expired error when Graph answers 401 code 190', async () => {
    const double = await aDouble();

    const error = await sendError(channelFor(double, { accessToken: 'EAAG-revoked-token' }).send({ inReplyTo: aWhatsAppMessage(), text: 'hi' }));

    expect(double.requests[0]!.outcome).toEqual({ kind: 'error', status: 401, code: 190 });
    expect(error).toMatchObject({ retryable: false, code: 'whatsapp-token-expired' });
  });

  const cases: { failure: GraphFailure; retryable: boolean; reason: string; when: string }[] = [
    { failure: { status: 429, code: 130429 }, retryable: true, reason: 'whatsapp-rate-limited-130429', when: 'Graph answers 429 code 130429 (rate limit)' },
    { failure: { status: 500, code: 131000 }, retryable: true, reason: 'whatsapp-unavailable-131000', when: 'Graph answers 500 code 131000 (something went wrong)' },
    { failure: { status: 500 }, retryable: true, reason: 'whatsapp-http-500', when: 'Graph answers HTTP 500 without a Graph error body' },
    { failure: { status: 400, code: 131047 }, retryable: false, reason: 'whatsapp-outside-24h-window', when: 'Graph answers 400 code 131047 (outside the 24 h window)' },
    { failure: { status: 400, code: 100 }, retryable: false, reason: 'whatsapp-error-100', when: 'Graph answers 400 code 100 (invalid parameter)' },
  ];
  for (const { failure, retryable, reason, when } of cases) {
    it(`rejects with retryable=${retryable} and reason ${reason} when ${when}`, async () => {
      const double = await aDouble();
      double.failNext(1, failure);

      const error = await sendError(channelFor(double).send({ inReplyTo: aWhatsAppMessage(), text: 'hi' }));

      expect(double.requests).toHaveLength(1);
      expect(error).toMatchObject({ retryable, code: reason });
      expect(error.message).toContain(String(failure.status));
    });
  }

  it('sends normally again once a scripted failure is used up', async () => {
    const double = await aDouble();
    double.failNext(1, { status: 429, code: 130429 });
    const channel = channelFor(double);
    const message = aWhatsAppMessage();

    await sendError(channel.send({ inReplyTo: message, text: 'hi' }));
    const result = await channel.send({ inReplyTo: message, text: 'hi' });

    expect(result).toEqual({ kind: 'sent', outboundIds: double.acceptedIds });
    expect(double.requests).toHaveLength(2);
  });

  it('rejects with the non-retryable reason send-outcome-unknown when Graph does not answer within timeoutMs', async () => {
    const double = await aDouble();
    double.hangNext(1);
    const started = performance.now();

    const error = await sendError(channelFor(double, { timeoutMs: 300 }).send({ inReplyTo: aWhatsAppMessage(), text: 'hi' }));

    expect(double.requests).toHaveLength(1);
    expect(error).toMatchObject({ retryable: false, code: 'send-outcome-unknown' });
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('rejects with a retryable whatsapp-unreachable error when nothing listens on the Graph port', async () => {
    const port = await aFreePort();
    const channel = new WhatsAppGraphReplyChannel({ baseUrl: `http://127.0.0.1:${port}`, apiVersion: VERSION, accessToken: 'EAAG-unused-token' });

    const error = await sendError(channel.send({ inReplyTo: aWhatsAppMessage(), text: 'hi' }));

    expect(error).toMatchObject({ retryable: true, code: 'whatsapp-unreachable' });
  });
});
