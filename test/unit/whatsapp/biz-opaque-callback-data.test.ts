import { randomInt } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWhatsAppNotification } from '../../../src/adapters/whatsapp/whatsapp-notification.js';
import { WhatsAppGraphReplyChannel } from '../../../src/adapters/whatsapp/whatsapp-reply-channel.js';
import type { InboundMessage } from '../../../src/domain/model/message.js';
import { createLogger } from '../../../src/observability/logger.js';
import { aMessage } from '../../support/builders.js';
import { GraphApiDouble } from '../../support/graph-api-double.js';
import { aNotification, aWaId, messagesValue, wireStatus } from '../../support/whatsapp-payloads.js';

// Our message id travels with every send in `biz_opaque_callback_data`, and Meta echoes it in each
// status of that send: a status then names our message even when the send's answer was lost.

const doubles: GraphApiDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((double) => double.stop()));
});

async function aChannel(): Promise<{ double: GraphApiDouble; channel: WhatsAppGraphReplyChannel }> {
  const double = new GraphApiDouble();
  doubles.push(double);
  await double.start();
  const logger = createLogger({ level: 'error', stream: new PassThrough() });
  return { double, channel: new WhatsAppGraphReplyChannel({ baseUrl: double.baseUrl, apiVersion: 'v23.0', accessToken: double.accessToken, logger }) };
}

const aWhatsAppMessage = (): InboundMessage => aMessage({ accountId: String(randomInt(100_000_000_000, 999_999_999_999)), participant: { id: aWaId(), name: 'Ada' } });

/** The statuses parsed from a notification in which Meta echoes `opaque` for the sends of `message`. */
function echoed(message: InboundMessage, opaque: unknown[], extra: Record<string, unknown> = {}) {
  const statuses = opaque.map((data) => wireStatus('delivered', message.participant.id, { biz_opaque_callback_data: data, ...extra }));
  return parseWhatsAppNotification(aNotification([{ changes: [{ value: messagesValue({ phoneNumberId: message.accountId, statuses }) }] }]), Date.now()).statuses;
}

describe('biz_opaque_callback_data', () => {
  it('carries our message id and the part of the reply in every text send, and comes back in its statuses as sentFor', async () => {
    const { double, channel } = await aChannel();
    const message = aWhatsAppMessage();

    await channel.send({ inReplyTo: message, text: 'First half.', part: 0, parts: 2 });
    await channel.send({ inReplyTo: message, text: 'Second half.', part: 1, parts: 2 });
    await channel.send({ inReplyTo: message, text: 'A single part.', part: 0 });

    const opaque = double.sends.map((send) => (send.body as { biz_opaque_callback_data?: unknown }).biz_opaque_callback_data);
    expect(opaque.every((data) => typeof data === 'string' && data.length <= 512)).toBe(true);
    expect(echoed(message, opaque).map((status) => status.sentFor)).toEqual([
      { kind: 'reply', messageId: message.id, part: 0, parts: 2 },
      { kind: 'reply', messageId: message.id, part: 1, parts: 2 },
      { kind: 'reply', messageId: message.id, part: 0, parts: 1 },
    ]);
  });

  it('marks a template send as a template of our message', async () => {
    const { double, channel } = await aChannel();
    const message = aWhatsAppMessage();

    await channel.sendTemplate(message, { name: 'reengage_hello', language: 'en_US' });

    const opaque = (double.sends[0]!.body as { biz_opaque_callback_data?: unknown }).biz_opaque_callback_data;
    expect(echoed(message, [opaque])[0]!.sentFor).toEqual({ kind: 'template', messageId: message.id });
  });

  it('parses a status whose opaque data is not ours (another system on the number) without sentFor', () => {
    const message = aWhatsAppMessage();

    const statuses = echoed(message, ['campaign-42', 'vocoeng:1:r:x:1:abc', 42]);

    expect(statuses).toHaveLength(3);
    for (const status of statuses) expect(status).not.toHaveProperty('sentFor');
  });
});

describe('failed statuses', () => {
  it.each([
    [131047, 'outside_service_window'],
    [131026, 'whatsapp_undeliverable'],
    [131049, 'whatsapp_marketing_limit'],
    [131050, 'whatsapp_marketing_opt_out'],
    [130472, 'whatsapp_experiment'],
    [131053, 'whatsapp_error_131053'],
    [131000, 'whatsapp_unavailable_131000'],
  ])('gives a failed status with error %i the reason %s', (code, reason) => {
    const message = aWhatsAppMessage();
    const [status] = echoed(message, [undefined], { status: 'failed', errors: [{ code, title: 'Failure' }] });
    expect(status).toMatchObject({ status: 'failed', failureReason: reason });
  });
});
