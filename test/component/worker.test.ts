import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SCRIPTED_MODEL_NAME, ScriptedCompletionModel } from '../../src/adapters/scripted/scripted-completion-model.js';
import { TOKENS } from '../../src/composition/tokens.js';
import type { DeliveryStatus } from '../../src/domain/model/delivery-status.js';
import type { InboundEvent } from '../../src/domain/model/events.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import { signWhatsAppBody } from '../../src/adapters/whatsapp/signature.js';
import { aMessage } from '../support/builders.js';
import { aPushEnvelope, pushRequest } from '../support/pubsub-envelope.js';
import { RecordingReplyChannel } from '../support/recording-reply-channel.js';
import { roleHarness, TEST_APP_SECRET, type RoleHarness } from '../support/role-harness.js';
import { aMessageNotification, metaSerialise, wireText } from '../support/whatsapp-payloads.js';

async function workerHarness(options: { replyChannel?: boolean } = {}) {
  const model = new ScriptedCompletionModel();
  const channel = new RecordingReplyChannel();
  const h = await roleHarness({
    overrides: { [TOKENS.CompletionModel]: model, ...(options.replyChannel === false ? {} : { [TOKENS.ReplyChannel]: channel }) },
  });
  return { ...h, model, channel };
}

const push = (h: RoleHarness, envelope: unknown) => h.app.request('/pubsub/push', pushRequest(envelope));

function messageEvent(h: RoleHarness, overrides: Parameters<typeof aMessage>[0] = {}): { event: InboundEvent; message: InboundMessage } {
  const message = aMessage({ receivedAt: h.clock.now(), sentAt: h.clock.now() - 1_000, ...overrides });
  return { event: { kind: 'message', message }, message };
}

async function stored(h: RoleHarness, message: InboundMessage) {
  const records = await h.chatStore.messages(message.conversationId, { limit: 100 });
  return records.find((record) => record.message.id === message.id);
}

describe('Worker POST /pubsub/push', () => {
  it('answers 204 and stores the scripted answer as unsent when WhatsApp sending is not configured', async () => {
    const h = await workerHarness({ replyChannel: false });
    const { event, message } = messageEvent(h, { text: 'What are your opening hours?' });

    const res = await push(h, aPushEnvelope(event, { attributes: { kind: 'message' } }));

    expect(res.status).toBe(204);
    const record = await stored(h, message);
    expect(record).toMatchObject({
      state: 'unsent',
      note: expect.stringContaining('whatsapp_sending_not_configured'),
      reply: { kind: 'ai', model: SCRIPTED_MODEL_NAME, text: expect.stringContaining('What are your opening hours?') },
      recorded: true,
    });
    expect(h.bus.events('interactions')).toEqual([
      expect.objectContaining({ type: 'message', messageId: message.id, outcome: 'unsent', failureReason: 'reply_channel_not_configured' }),
    ]);
  });

  it('answers 204, sends the answer once and records it when the reply channel sends', async () => {
    const h = await workerHarness();
    const { event, message } = messageEvent(h, { text: 'Hallo 👋' });

    const res = await push(h, aPushEnvelope(event));

    expect(res.status).toBe(204);
    expect(h.model.calls).toBe(1);
    expect(h.model.requests[0]!.turns.at(-1)).toEqual({ role: 'user', content: 'Hallo 👋' });
    expect(h.channel.sent).toHaveLength(1);
    expect(h.channel.sent[0]!.reply.inReplyTo.id).toBe(message.id);
    const record = await stored(h, message);
    expect(record).toMatchObject({ state: 'sent', outboundIds: h.channel.sent[0]!.outboundIds, recorded: true });
    expect(record!.reply!.text).toBe(h.channel.sent[0]!.reply.text);
    expect(h.bus.published('interactions')).toEqual([
      expect.objectContaining({ orderingKey: message.conversationId, event: expect.objectContaining({ messageId: message.id, outcome: 'sent' }) }),
    ]);
  });

  it('answers 204 and replies when the envelope carries what the listener published for a signed notification', async () => {
    const h = await workerHarness();
    const wire = wireText('Ça marche? 🙂');
    const raw = metaSerialise(aMessageNotification({ messages: [wire] }));
    expect((await h.app.request('/webhooks/whatsapp', { method: 'POST', headers: { 'x-hub-signature-256': signWhatsAppBody(raw, TEST_APP_SECRET) }, body: raw })).status).toBe(200);
    const [published] = h.bus.published('inbound');

    const res = await push(h, aPushEnvelope(published!.event, { attributes: published!.attributes ?? {} }));

    expect(res.status).toBe(204);
    expect(h.model.requests[0]!.turns.at(-1)).toEqual({ role: 'user', content: 'Ça marche? 🙂' });
    expect(h.channel.sent.map((s) => s.reply.inReplyTo.id)).toEqual([wire.id]);
  });

  it('answers 204 without a second model call or send when the same envelope is pushed again', async () => {
    const h = await workerHarness();
    const { event, message } = messageEvent(h);
    const envelope = aPushEnvelope(event);

    expect((await push(h, envelope)).status).toBe(204);
    expect((await push(h, envelope)).status).toBe(204);

    expect(h.model.calls).toBe(1);
    expect(h.channel.attempts).toHaveLength(1);
    expect((await stored(h, message))!.state).toBe('sent');
    expect(h.bus.events('interactions')).toHaveLength(1);
  });

  it('answers 204 without a second model call or send when the event is republished with a new message id', async () => {
    const h = await workerHarness();
    const { event } = messageEvent(h);

    expect((await push(h, aPushEnvelope(event, { messageId: 'first' }))).status).toBe(204);
    expect((await push(h, aPushEnvelope(event, { messageId: 'second' }))).status).toBe(204);

    expect(h.model.calls).toBe(1);
    expect(h.channel.attempts).toHaveLength(1);
  });

  it('calls the model once and lets the other push wait for its turn, then ack, when the same event is pushed concurrently', async () => {
    const h = await workerHarness();
    h.model.slowBy(50);
    const { event, message } = messageEvent(h);

    const statuses = (await Promise.all([push(h, aPushEnvelope(event)), push(h, aPushEnvelope(event))])).map((res) => res.status);

    expect(statuses.sort()).toEqual([204, 204]);
    expect(h.model.calls).toBe(1);
    expect(h.channel.attempts).toHaveLength(1);
    expect((await stored(h, message))!.state).toBe('sent');
  });

  it('answers 503 (nack) when the model fails retryably and 204 on the later push', async () => {
    const h = await workerHarness();
    h.model.failNext(1, { retryable: true, message: 'model overloaded' });
    const { event, message } = messageEvent(h);
    const envelope = aPushEnvelope(event);

    const first = await push(h, envelope);

    expect(first.status).toBe(503);
    expect(h.channel.attempts).toHaveLength(0);
    expect(await stored(h, message)).toMatchObject({ state: 'received', failure: { stage: 'generate', reason: 'completion_failed' } });
    expect(h.bus.events('interactions')).toEqual([]);

    const second = await push(h, { ...envelope, deliveryAttempt: 2 });

    expect(second.status).toBe(204);
    expect(h.model.calls).toBe(2);
    expect(h.channel.sent).toHaveLength(1);
    expect((await stored(h, message))!.state).toBe('sent');
  });

  it('answers 503 when the send fails retryably and 204 on the later push without a second model call', async () => {
    const h = await workerHarness();
    h.channel.failNext(1, true);
    const { event, message } = messageEvent(h);
    const envelope = aPushEnvelope(event);

    expect((await push(h, envelope)).status).toBe(503);
    expect(await stored(h, message)).toMatchObject({ state: 'answered' });
    expect((await push(h, envelope)).status).toBe(204);

    expect(h.model.calls).toBe(1);
    expect(h.channel.attempts).toHaveLength(2);
    expect(h.channel.sent).toHaveLength(1);
    expect(h.channel.attempts[0]!.text).toBe(h.channel.attempts[1]!.text);
    expect((await stored(h, message))!.state).toBe('sent');
  });

  it('answers 204 with the fallback reply when the model fails permanently', async () => {
    const h = await workerHarness();
    h.model.failNext(1, { retryable: false });
    const { event, message } = messageEvent(h);

    const res = await push(h, aPushEnvelope(event));

    expect(res.status).toBe(204);
    expect(await stored(h, message)).toMatchObject({ state: 'sent', reply: { kind: 'fallback' }, failure: { stage: 'generate' } });
  });

  it.each([
    ['a JSON object without a message', JSON.stringify({ subscription: 'projects/demo/subscriptions/s' })],
    ['not JSON at all', 'message=hello'],
    ['a message that is not an object', JSON.stringify({ message: 'hello' })],
  ])('answers 400 when the body is %s', async (_, body) => {
    const h = await workerHarness();

    const res = await h.app.request('/pubsub/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_envelope' } });
    expect(h.model.calls).toBe(0);
  });

  it.each([
    ['an event of an unknown kind', { kind: 'mystery', message: {} }],
    ['a message event missing its content', { kind: 'message', message: { id: 'x', channel: 'whatsapp' } }],
    ['a JSON string', 'hello'],
  ])('answers 204 (acked as poison) and logs it when the data is %s', async (_, data) => {
    const h = await workerHarness();
    const messageId = `poison-${randomUUID()}`;

    const res = await push(h, aPushEnvelope(data, { messageId }));

    expect(res.status).toBe(204);
    expect(h.model.calls).toBe(0);
    expect(h.logs()).toContainEqual(expect.objectContaining({ severity: 'ERROR', message: expect.stringContaining('cannot be decoded'), messageId }));
  });

  it('answers 204 (acked as poison) when the data is not base64 JSON', async () => {
    const h = await workerHarness();
    const envelope = aPushEnvelope({});
    envelope.message.data = Buffer.from('not json {', 'utf8').toString('base64');

    const res = await push(h, envelope);

    expect(res.status).toBe(204);
    expect(h.logs().some((entry) => entry.severity === 'ERROR')).toBe(true);
  });

  it('answers 204 and updates the stored delivery when a delivery-status event is pushed', async () => {
    const h = await workerHarness();
    const { event, message } = messageEvent(h);
    expect((await push(h, aPushEnvelope(event))).status).toBe(204);
    const outboundId = h.channel.sent[0]!.outboundIds[0]!;
    const status: DeliveryStatus = {
      outboundId,
      channel: 'whatsapp',
      accountId: message.accountId,
      conversationId: message.conversationId,
      recipientId: message.participant.id,
      status: 'read',
      at: h.clock.now() + 5_000,
      pricing: { billable: true, model: 'PMP', category: 'service' },
    };

    const res = await push(h, aPushEnvelope({ kind: 'status', status } satisfies InboundEvent, { attributes: { kind: 'status' } }));

    expect(res.status).toBe(204);
    expect((await stored(h, message))!.delivery).toEqual({ status: 'read', at: status.at, pricingCategory: 'service', pricingModel: 'PMP', billable: true });
    expect(h.bus.events('interactions')).toContainEqual(
      expect.objectContaining({ type: 'status', outboundId, status: 'read', conversationId: message.conversationId, pricingCategory: 'service' }),
    );
  });

  it('keeps the later delivery state when an earlier status arrives after it', async () => {
    const h = await workerHarness();
    const { event, message } = messageEvent(h);
    await push(h, aPushEnvelope(event));
    const base: DeliveryStatus = {
      outboundId: h.channel.sent[0]!.outboundIds[0]!,
      channel: 'whatsapp',
      accountId: message.accountId,
      conversationId: message.conversationId,
      recipientId: message.participant.id,
      status: 'read',
      at: h.clock.now() + 5_000,
    };

    expect((await push(h, aPushEnvelope({ kind: 'status', status: base }))).status).toBe(204);
    expect((await push(h, aPushEnvelope({ kind: 'status', status: { ...base, status: 'delivered', at: base.at - 1_000 } }))).status).toBe(204);

    expect((await stored(h, message))!.delivery).toMatchObject({ status: 'read', at: base.at });
  });
});
