import { PassThrough } from 'node:stream';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError, ValidationError } from '../../../src/domain/model/errors.js';
import { AllowAllPushAuthenticator } from '../../../src/http/auth/push-oidc.js';
import { handlePush, type PushDelivery } from '../../../src/http/pubsub-push.js';
import { createLogger } from '../../../src/observability/logger.js';
import { aPushEnvelope, pushRequest } from '../../support/pubsub-envelope.js';

const event = z.object({ n: z.number() });
type Event = z.infer<typeof event>;

function pushApp(handle: (delivery: PushDelivery<Event>) => Promise<unknown>) {
  const lines: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)));
  const logger = createLogger({ level: 'info', stream });
  const app = new Hono();
  app.post('/push', (c) => handlePush(c, event, handle, logger, new AllowAllPushAuthenticator()));
  return { app, lines };
}

describe('handlePush', () => {
  it('answers 204 and hands over the event, message id, attributes and attempt when the handler succeeds', async () => {
    const seen: PushDelivery<Event>[] = [];
    const { app } = pushApp(async (delivery) => {
      seen.push(delivery);
    });

    const res = await app.request('/push', pushRequest(aPushEnvelope({ n: 7 }, { messageId: 'm-1', attributes: { kind: 'message' }, deliveryAttempt: 3 })));

    expect(res.status).toBe(204);
    expect(seen).toEqual([{ messageId: 'm-1', event: { n: 7 }, attributes: { kind: 'message' }, deliveryAttempt: 3 }]);
  });

  it('takes the message id from message_id when the emulator sends only that spelling', async () => {
    const seen: string[] = [];
    const { app } = pushApp(async ({ messageId }) => {
      seen.push(messageId);
    });
    const envelope = { message: { data: Buffer.from('{"n":1}').toString('base64'), message_id: 'emu-9' }, subscription: 's' };

    expect((await app.request('/push', pushRequest(envelope))).status).toBe(204);
    expect(seen).toEqual(['emu-9']);
  });

  it.each([
    ['a retryable domain error', new DomainError('chat_store_unavailable', 'store down', true)],
    ['an unknown error', new Error('socket hang up')],
  ])('answers 503 so Pub/Sub redelivers when the handler throws %s', async (_, error) => {
    const { app, lines } = pushApp(async () => {
      throw error;
    });

    const res = await app.request('/push', pushRequest(aPushEnvelope({ n: 1 }, { messageId: 'm-2' })));

    expect(res.status).toBe(503);
    expect(lines).toContainEqual(expect.objectContaining({ severity: 'WARNING', messageId: 'm-2' }));
  });

  it('answers 204 (ack) and logs an error when the handler fails permanently', async () => {
    const { app, lines } = pushApp(async () => {
      throw new ValidationError('cannot ever work');
    });

    const res = await app.request('/push', pushRequest(aPushEnvelope({ n: 1 }, { messageId: 'm-3' })));

    expect(res.status).toBe(204);
    expect(lines).toContainEqual(expect.objectContaining({ severity: 'ERROR', messageId: 'm-3' }));
  });

  it.each([
    ['data is missing', { message: { messageId: 'm-4' } }],
    ['data does not match the schema', aPushEnvelope({ n: 'seven' }, { messageId: 'm-4' })],
  ])('answers 204 without calling the handler when %s', async (_, envelope) => {
    let calls = 0;
    const { app, lines } = pushApp(async () => {
      calls += 1;
    });

    const res = await app.request('/push', pushRequest(envelope));

    expect(res.status).toBe(204);
    expect(calls).toBe(0);
    expect(lines).toContainEqual(expect.objectContaining({ severity: 'ERROR', messageId: 'm-4' }));
  });

  it.each([
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['attributes that are not strings', JSON.stringify({ message: { data: 'e30=', attributes: { a: 1 } } })],
  ])('answers 400 without calling the handler when the request has %s', async (_, body) => {
    let calls = 0;
    const { app } = pushApp(async () => {
      calls += 1;
    });

    const res = await app.request('/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    expect(res.status).toBe(400);
    expect(calls).toBe(0);
  });
});
