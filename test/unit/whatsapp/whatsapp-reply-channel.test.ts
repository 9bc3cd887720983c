import { randomInt } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WhatsAppGraphReplyChannel } from '../../../src/adapters/whatsapp/whatsapp-reply-channel.js';
import type { InboundMessage } from '../../../src/domain/model/message.js';
import { createLogger, type Logger } from '../../../src/observability/logger.js';
import { aMessage } from '../../support/builders.js';
import { GraphApiDouble, type GraphFailure } from '../../support/graph-api-double.js';
import { aFreePort } from '../../support/ports.js';
import { sendError } from '../../support/send-error.js';

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

function channelFor(double: GraphApiDouble, options: { accessToken?: string; timeoutMs?: number; baseUrl?: string; logger?: Logger } = {}) {
  return new WhatsAppGraphReplyChannel({
    baseUrl: options.baseUrl ?? double.baseUrl,
    apiVersion: VERSION,
    accessToken: options.accessToken ?? double.accessToken,
    logger: options.logger ?? silentLogger(),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}

const aWhatsAppMessage = (text = 'Do you deliver on Sundays?'): InboundMessage =>
  aMessage({ accountId: String(randomInt(100_000_000_000, 999_999_999_999)), text });

describe('WhatsAppGraphReplyChannel', () => {
  it('posts the exact Graph text message with the bearer token to /{version}/{phone_number_id}/messages when sending a reply', async () => {
    const double = await aDouble();
    const message = aWhatsAppMessage();

    const result = await channelFor(double).send({ inReplyTo: message, text: 'Yes, from 10 to 16 h. ☀️', part: 0 });

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
      biz_opaque_callback_data: `vocoeng:1:r:0:1:${message.id}`,
    });
    expect(result).toEqual({ kind: 'sent', outboundIds: double.acceptedIds });
    expect(double.acceptedIds[0]).toMatch(/^wamid\./);
  });

  it('posts the text without context when sending a later part of a long reply', async () => {
    const double = await aDouble();
    const message = aWhatsAppMessage();

    const result = await channelFor(double).send({ inReplyTo: message, text: 'Second part of the answer.', part: 1 });

    expect(double.requests).toHaveLength(1);
    expect(double.requests[0]!.path).toBe(`/${VERSION}/${message.accountId}/messages`);
    expect(double.requests[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: message.participant.id,
      type: 'text',
      text: { body: 'Second part of the answer.', preview_url: false },
      biz_opaque_callback_data: `vocoeng:1:r:1:2:${message.id}`,
    });
    expect(result).toEqual({ kind: 'sent', outboundIds: double.acceptedIds });
  });

  it('posts the exact Graph template message when sending a template', async () => {
    const double = await aDouble();
    const message = aWhatsAppMessage();

    const result = await channelFor(double).sendTemplate(message, { name: 'reengage_hello', language: 'de' });

    expect(double.sends).toHaveLength(1);
    expect(double.readReceipts).toHaveLength(0);
    const [request] = double.sends;
    expect(request!.path).toBe(`/${VERSION}/${message.accountId}/messages`);
    expect(request!.headers.authorization).toBe(`Bearer ${double.accessToken}`);
    expect(request!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: message.participant.id,
      type: 'template',
      template: { name: 'reengage_hello', language: { code: 'de' } },
      biz_opaque_callback_data: `vocoeng:1:t:${message.id}`,
    });
    expect(result).toEqual({ kind: 'sent', outboundIds: double.acceptedIds });
    expect(double.acceptedIds).toHaveLength(1);
  });

  it('rejects a template with the same classified reason when Graph refuses it', async () => {
    const double = await aDouble();
    double.failNext(1, { status: 400, code: 132001 });

    const error = await sendError(channelFor(double).sendTemplate(aWhatsAppMessage(), { name: 'missing_template', language: 'en' }));

    expect(error).toMatchObject({ retryable: false, reason: 'whatsapp_error_132001' });
  });

  it('posts the exact read receipt with a typing indicator for the message when acknowledging it', async () => {
    const double = await aDouble();
    const message = aWhatsAppMessage();

    const result = await channelFor(double).acknowledge(message);

    expect(result).toBeUndefined();
    expect(double.requests).toHaveLength(1);
    expect(double.readReceipts).toHaveLength(1);
    expect(double.sends).toHaveLength(0);
    const [request] = double.readReceipts;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(`/${VERSION}/${message.accountId}/messages`);
    expect(request!.headers.authorization).toBe(`Bearer ${double.accessToken}`);
    expect(request!.headers['content-type']).toMatch(/^application\/json/);
    expect(request!.body).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: message.id, typing_indicator: { type: 'text' } });
    expect(request!.outcome).toEqual({ kind: 'read' });
    expect(double.acceptedIds).toEqual([]);
  });

  const receiptFailures: { failure: GraphFailure; when: string }[] = [
    { failure: { status: 500 }, when: 'Graph answers HTTP 500 without a Graph error body' },
    { failure: { status: 500, code: 131000 }, when: 'Graph answers 500 code 131000' },
    { failure: { status: 400, code: 100 }, when: 'Graph answers 400 code 100' },
  ];
  for (const { failure, when } of receiptFailures) {
    it(`resolves and logs a warning without rejecting when acknowledging and ${when}`, async () => {
      const double = await aDouble();
      double.failNextReadReceipts(1, failure);
      const log = capturedLogger();
      const message = aWhatsAppMessage();

      await expect(channelFor(double, { logger: log.logger }).acknowledge(message)).resolves.toBeUndefined();

      expect(double.readReceipts).toHaveLength(1);
      expect(double.readReceipts[0]!.outcome).toEqual({ kind: 'error', status: failure.status, code: failure.code });
      expect(log.lines).toContainEqual(expect.objectContaining({ severity: 'WARNING', message: 'whatsapp read receipt not sent', messageId: message.id }));
      expect(log.text()).not.toContain(double.accessToken);
      expect(log.text()).not.toContain(message.participant.id);
    });
  }

  it('resolves without rejecting when acknowledging and nothing listens on the Graph port', async () => {
    const port = await aFreePort();
    const log = capturedLogger();
    const channel = new WhatsAppGraphReplyChannel({ baseUrl: `http://127.0.0.1:${port}`, apiVersion: VERSION, accessToken: 'EAAG-unused-token', logger: log.logger });

    await expect(channel.acknowledge(aWhatsAppMessage())).resolves.toBeUndefined();

    expect(log.lines).toContainEqual(expect.objectContaining({ severity: 'WARNING', message: 'whatsapp read receipt not sent', errorCode: 'reply_send_failed', errorReason: 'whatsapp_unreachable' }));
  });

  it('resolves within timeoutMs without rejecting when acknowledging and Graph does not answer the read receipt', async () => {
    const double = await aDouble();
    double.hangNextReadReceipts(1);
    const started = performance.now();

    await expect(channelFor(double, { timeoutMs: 300 }).acknowledge(aWhatsAppMessage())).resolves.toBeUndefined();

    expect(double.readReceipts.map((r) => r.outcome)).toEqual([{ kind: 'hung' }]);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('resolves without rejecting, and logs the token ERROR, when acknowledging with a token Graph rejects (401 code 190)', async () => {
    const double = await aDouble();
    const log = capturedLogger();
    const revoked = `EAAG-revoked-${Date.now()}`;

    await expect(channelFor(double, { accessToken: revoked, logger: log.logger }).acknowledge(aWhatsAppMessage())).resolves.toBeUndefined();

    expect(double.requests).toHaveLength(1);
    expect(double.readReceipts[0]!.outcome).toEqual({ kind: 'error', status: 401, code: 190 });
    expect(log.lines.filter((line) => line.severity === 'ERROR').map((line) => line.message)).toEqual([expect.stringContaining('WHATSAPP_ACCESS_TOKEN')]);
    expect(log.text()).not.toContain(revoked);
  });

  it('logs one ERROR naming WHATSAPP_ACCESS_TOKEN, without the token, when Graph answers 190 to a send', async () => {
    const double = await aDouble();
    const log = capturedLogger();
    const revoked = `EAAG-revoked-${Date.now()}`;
    const message = aWhatsAppMessage('Where is my parcel?');

    const error = await sendError(channelFor(double, { accessToken: revoked, logger: log.logger }).send({ inReplyTo: message, text: 'Your parcel is on its way.', part: 0 }));

    expect(error).toMatchObject({ retryable: false, reason: 'whatsapp_token_expired' });
    const errors = log.lines.filter((line) => line.severity === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('WHATSAPP_ACCESS_TOKEN');
    expect(errors[0]).toMatchObject({ phoneNumberId: message.accountId, fbtraceId: expect.stringMatching(/^A/) });
    // No exception is thrown for it, yet Error Reporting must show it: the ReportedErrorEvent shape.
    expect(errors[0]).toMatchObject({
      '@type': 'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent',
      serviceContext: { service: expect.any(String), version: expect.any(String) },
      context: { reportLocation: expect.objectContaining({ filePath: expect.stringContaining('whatsapp-reply-channel.ts'), lineNumber: expect.any(Number) }) },
    });
    for (const secret of [revoked, double.accessToken, message.participant.id, 'Your parcel is on its way.']) expect(log.text()).not.toContain(secret);
  });

  it('logs no ERROR when Graph answers another error (429 code 130429)', async () => {
    const double = await aDouble();
    double.failNext(1, { status: 429, code: 130429 });
    const log = capturedLogger();

    await sendError(channelFor(double, { logger: log.logger }).send({ inReplyTo: aWhatsAppMessage(), text: 'hi', part: 0 }));

    expect(log.lines.filter((line) => line.severity === 'ERROR')).toEqual([]);
  });

  it('joins the base URL without a double slash when WHATSAPP_API_BASE_URL ends with a slash', async () => {
    const double = await aDouble();
    const message = aWhatsAppMessage();

    await channelFor(double, { baseUrl: `${double.baseUrl}/` }).send({ inReplyTo: message, text: 'ok', part: 0 });

    expect(double.requests.map((r) => r.path)).toEqual([`/${VERSION}/${message.accountId}/messages`]);
  });

  it('rejects with a non-retryable token-expired error when Graph answers 401 code 190', async () => {
    const double = await aDouble();

    const error = await sendError(channelFor(double, { accessToken: 'EAAG-revoked-token' }).send({ inReplyTo: aWhatsAppMessage(), text: 'hi', part: 0 }));

    expect(double.requests[0]!.outcome).toEqual({ kind: 'error', status: 401, code: 190 });
    expect(error).toMatchObject({ retryable: false, reason: 'whatsapp_token_expired' });
  });

  const cases: { failure: GraphFailure; retryable: boolean; reason: string; when: string }[] = [
    { failure: { status: 429, code: 130429 }, retryable: true, reason: 'whatsapp_rate_limited_130429', when: 'Graph answers 429 code 130429 (rate limit)' },
    { failure: { status: 500, code: 131000 }, retryable: true, reason: 'whatsapp_unavailable_131000', when: 'Graph answers 500 code 131000 (something went wrong)' },
    { failure: { status: 500 }, retryable: true, reason: 'whatsapp_http_500', when: 'Graph answers HTTP 500 without a Graph error body' },
    { failure: { status: 400, code: 131047 }, retryable: false, reason: 'outside_service_window', when: 'Graph answers 400 code 131047 (outside the 24 h window)' },
    { failure: { status: 400, code: 100 }, retryable: false, reason: 'whatsapp_error_100', when: 'Graph answers 400 code 100 (invalid parameter)' },
  ];
  for (const { failure, retryable, reason, when } of cases) {
    it(`rejects with retryable=${retryable} and reason ${reason} when ${when}`, async () => {
      const double = await aDouble();
      double.failNext(1, failure);

      const error = await sendError(channelFor(double).send({ inReplyTo: aWhatsAppMessage(), text: 'hi', part: 0 }));

      expect(double.requests).toHaveLength(1);
      expect(error).toMatchObject({ retryable, reason });
      expect(error.message).toContain(String(failure.status));
    });
  }

  it('sends normally again once a scripted failure is used up', async () => {
    const double = await aDouble();
    double.failNext(1, { status: 429, code: 130429 });
    const channel = channelFor(double);
    const message = aWhatsAppMessage();

    await sendError(channel.send({ inReplyTo: message, text: 'hi', part: 0 }));
    const result = await channel.send({ inReplyTo: message, text: 'hi', part: 0 });

    expect(result).toEqual({ kind: 'sent', outboundIds: double.acceptedIds });
    expect(double.requests).toHaveLength(2);
  });

  it('rejects with the non-retryable reason send-outcome-unknown when Graph does not answer within timeoutMs', async () => {
    const double = await aDouble();
    double.hangNext(1);
    const started = performance.now();

    const error = await sendError(channelFor(double, { timeoutMs: 300 }).send({ inReplyTo: aWhatsAppMessage(), text: 'hi', part: 0 }));

    expect(double.requests).toHaveLength(1);
    expect(error).toMatchObject({ retryable: false, reason: 'send_outcome_unknown' });
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('rejects with a retryable whatsapp-unreachable error when nothing listens on the Graph port', async () => {
    const port = await aFreePort();
    const channel = new WhatsAppGraphReplyChannel({ baseUrl: `http://127.0.0.1:${port}`, apiVersion: VERSION, accessToken: 'EAAG-unused-token', logger: silentLogger() });

    const error = await sendError(channel.send({ inReplyTo: aWhatsAppMessage(), text: 'hi', part: 0 }));

    expect(error).toMatchObject({ retryable: true, reason: 'whatsapp_unreachable' });
  });
});

function silentLogger() {
  return createLogger({ level: 'error', stream: new PassThrough() });
}

type LogLine = Record<string, unknown>;

/** A logger at info level whose JSON lines are collected (raw text too, to look for leaked values). */
function capturedLogger(): { logger: Logger; lines: LogLine[]; text: () => string } {
  const lines: LogLine[] = [];
  const chunks: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    chunks.push(text);
    lines.push(...text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine));
  });
  return { logger: createLogger({ level: 'info', stream }), lines, text: () => chunks.join('') };
}
