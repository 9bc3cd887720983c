import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryChatStore } from '../../../src/adapters/memory/in-memory-chat-store.js';
import { InMemoryMessageBus } from '../../../src/adapters/memory/in-memory-message-bus.js';
import type { DeliveryStatus } from '../../../src/domain/model/delivery-status.js';
import { userKeyFor } from '../../../src/domain/model/ids.js';
import type { InteractionEvent } from '../../../src/domain/model/interaction.js';
import type { InboundMessage } from '../../../src/domain/model/message.js';
import { ApplyDeliveryStatus } from '../../../src/domain/use-cases/apply-delivery-status.js';
import type { MessagePatch } from '../../../src/domain/model/message-record.js';
import type { Reply } from '../../../src/domain/model/reply.js';
import { aMessage } from '../../support/builders.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { RecordingReplyChannel } from '../../support/recording-reply-channel.js';
import { SHIPPED_RATE_CARD } from '../../../src/config/rate-card.js';
import { maskedParticipant } from '../../../src/domain/model/masked-participant.js';

const A_REPLY: Reply = { text: 'Our opening hours are 9 to 5.', kind: 'ai', model: 'm', usage: { prompt: 3, completion: 5 }, costUsd: 0.01, latencyMs: 40, createdAt: Date.UTC(2026, 10, 25, 11, 0, 0) };
const WINDOW_FAILURE = { errors: [{ code: 131047, title: 'Re-engagement message' }], failureReason: 'outside_service_window' as const };

function setup() {
  const store = new InMemoryChatStore();
  const bus = new InMemoryMessageBus({ redeliveryDelayMs: 5 });
  const published: { event: InteractionEvent; orderingKey: string | undefined }[] = [];
  bus.subscribe('interactions', async ({ event, orderingKey }) => {
    published.push({ event, orderingKey });
  });
  const channel = new RecordingReplyChannel();
  const clock = new FixedClock();
  const useCase = new ApplyDeliveryStatus(store, bus, channel, clock, SHIPPED_RATE_CARD);

  async function sentReply(): Promise<{ message: InboundMessage; outboundId: string }> {
    const message = aMessage();
    const outboundId = `wamid.out.${randomUUID()}`;
    const { record } = await store.register(message, Date.now());
    await store.transition(message.conversationId, message.id, record.version, { state: 'sent', outboundIds: [outboundId] });
    return { message, outboundId };
  }

  /** A bot reply stored in `state` with `patch` (no outbound id unless the patch gives one), and the channel's template. */
  async function replyIn(state: MessagePatch['state'], patch: MessagePatch = {}, accountId = `phone-${randomUUID()}`): Promise<InboundMessage> {
    const message = aMessage({ accountId });
    const { record } = await store.register(message, Date.now());
    await store.transition(message.conversationId, message.id, record.version, { state, reply: A_REPLY, recorded: true, ...patch });
    return message;
  }

  const withTemplate = (message: InboundMessage) =>
    store.saveChannelSettings({ accountId: message.accountId, windowTemplate: { name: 'reengage_hello', language: 'en_US' }, updatedAt: 0 });

  const statusOf = (message: InboundMessage, outboundId: string, status: DeliveryStatus['status'], extra: Partial<DeliveryStatus> = {}): DeliveryStatus => ({
    outboundId,
    channel: 'whatsapp',
    accountId: message.accountId,
    conversationId: message.conversationId,
    recipientId: message.participant.id,
    status,
    at: Date.UTC(2026, 10, 25, 12, 0, 0),
    ...extra,
  });

  const stored = async (message: InboundMessage) => (await store.register(message, 0)).record;
  const events = async () => {
    await bus.idle();
    return published;
  };
  const sentFor = (message: InboundMessage, part = 0, parts = 1) => ({ sentFor: { kind: 'reply' as const, messageId: message.id, part, parts } });
  return { store, bus, channel, clock, useCase, sentReply, replyIn, withTemplate, statusOf, sentFor, stored, events };
}

describe('ApplyDeliveryStatus', () => {
  it('keeps the stored delivery at read when statuses arrive as read, sent, delivered', async () => {
    const s = setup();
    const { message, outboundId } = await s.sentReply();

    const results = [];
    for (const status of ['read', 'sent', 'delivered'] as const) results.push((await s.useCase.execute(s.statusOf(message, outboundId, status))).result);

    expect(results).toEqual(['applied', 'stale', 'stale']);
    expect((await s.stored(message)).delivery?.status).toBe('read');
  });

  it('publishes every status as an interaction with a deterministic eventId when statuses are applied', async () => {
    const s = setup();
    const { message, outboundId } = await s.sentReply();

    await s.useCase.execute(s.statusOf(message, outboundId, 'read', { pricing: { billable: true, category: 'service' } }));
    await s.useCase.execute(s.statusOf(message, outboundId, 'sent'));
    await s.useCase.execute(s.statusOf(message, outboundId, 'failed', { errors: [{ code: 131026 }] }));
    await s.useCase.execute(s.statusOf(message, outboundId, 'read'));

    const all = await s.events();
    // The failure also revises the sent reply's own fact (see below); here, the statuses.
    expect(all.map((p) => p.event.eventId)).toContain(`message:whatsapp:${message.id}`);
    const published = all.filter((p) => p.event.type === 'status');
    expect(published.map((p) => p.event.eventId)).toEqual([
      `status:whatsapp:${outboundId}:read`,
      `status:whatsapp:${outboundId}:sent`,
      `status:whatsapp:${outboundId}:failed`,
      `status:whatsapp:${outboundId}:read`,
    ]);
    expect(published.every((p) => p.orderingKey === message.conversationId)).toBe(true);
    expect(published[0]!.event).toEqual({
      type: 'status',
      eventId: `status:whatsapp:${outboundId}:read`,
      occurredAt: Date.UTC(2026, 10, 25, 12, 0, 0),
      channel: 'whatsapp',
      accountId: message.accountId,
      conversationId: message.conversationId,
      userKey: userKeyFor('whatsapp', message.accountId, message.participant.id),
      outboundId,
      status: 'read',
      pricingCategory: 'service',
      billable: true,
      // Billable (the older model's flag), delivered: a charge, free as every service message.
      charge: { category: 'service', market: 'DE', usd: 0 },
    });
    expect(published[2]!.event).toMatchObject({ status: 'failed', errorCode: 131026 });
    expect(published[1]!.event).not.toHaveProperty('pricingCategory');
  });

  it('answers unknown but still records the status when no stored reply has the outbound id', async () => {
    const s = setup();
    const message = aMessage();
    const outboundId = `wamid.foreign.${randomUUID()}`;

    const { result } = await s.useCase.execute(s.statusOf(message, outboundId, 'delivered'));

    expect(result).toBe('unknown');
    expect((await s.events()).map((p) => p.event)).toMatchObject([{ type: 'status', outboundId, status: 'delivered' }]);
  });

  it('rejects with the publish error when recording the status fails', async () => {
    const s = setup();
    const { message, outboundId } = await s.sentReply();
    s.bus.failNextPublishes(1);

    await expect(s.useCase.execute(s.statusOf(message, outboundId, 'delivered'))).rejects.toMatchObject({ code: 'publish_failed', retryable: true });
    // The store was updated; a redelivery only re-records (the same eventId).
    expect((await s.useCase.execute(s.statusOf(message, outboundId, 'delivered'))).result).toBe('stale');
    expect((await s.events()).map((p) => p.event.eventId)).toEqual([`status:whatsapp:${outboundId}:delivered`]);
  });
});

describe('ApplyDeliveryStatus after a late outside-the-window failure', () => {
  it('sends the channel window template once when the same failed status (131047) is delivered twice at once', async () => {
    const s = setup();
    const outboundId = `wamid.out.${randomUUID()}`;
    const message = await s.replyIn('sent', { outboundIds: [outboundId] });
    await s.withTemplate(message);

    const failed = s.statusOf(message, outboundId, 'failed', WINDOW_FAILURE);
    await Promise.all([s.useCase.execute(failed), s.useCase.execute(failed)]);
    await s.useCase.execute(failed);

    expect(s.channel.templates).toEqual([{ inReplyTo: message.id, template: { name: 'reengage_hello', language: 'en_US' } }]);
    const stored = await s.stored(message);
    expect(stored.windowTemplate).toEqual({ name: 'reengage_hello', state: 'sent', at: s.clock.now(), outboundIds: [expect.stringMatching(/^tpl\./)] });
    expect(stored.delivery).toMatchObject({ status: 'failed', errorCode: 131047 });
    // The failure is counted once, with the reply (the same event ids each time), not with the status.
    const events = (await s.events()).map((p) => p.event);
    expect(events).toMatchObject([
      { type: 'status', status: 'failed' },
      { type: 'message', outcome: 'failed', failureReason: 'outside_service_window' },
      { type: 'status', status: 'failed' },
      { type: 'message', outcome: 'failed', failureReason: 'outside_service_window' },
      { type: 'status', status: 'failed' },
      { type: 'message', outcome: 'failed', failureReason: 'outside_service_window' },
    ]);
    expect(events.filter((e) => e.type === 'status').every((e) => e.failureReason === undefined)).toBe(true);
  });

  it('sends no template, and still records the failure, when the channel has no window template', async () => {
    const s = setup();
    const outboundId = `wamid.out.${randomUUID()}`;
    const message = await s.replyIn('sent', { outboundIds: [outboundId] });

    await s.useCase.execute(s.statusOf(message, outboundId, 'failed', WINDOW_FAILURE));

    expect(s.channel.templates).toEqual([]);
    expect((await s.stored(message)).windowTemplate).toBeUndefined();
    expect((await s.events()).map((p) => p.event)).toMatchObject([{ status: 'failed' }, { type: 'message', outcome: 'failed', failureReason: 'outside_service_window' }]);
  });

  it('revises a reply already sent to failed, under the delivery reason, when its delivery fails', async () => {
    const s = setup();
    const outboundId = `wamid.out.${randomUUID()}`;
    const message = await s.replyIn('sent', { outboundIds: [`wamid.part0.${randomUUID()}`, outboundId] });

    const at = Date.UTC(2026, 10, 25, 12, 0, 0);
    await s.useCase.execute(s.statusOf(message, outboundId, 'failed', { errors: [{ code: 131026 }], failureReason: 'whatsapp_undeliverable', ...s.sentFor(message, 1, 2) }));

    const [status, revision] = (await s.events()).map((p) => p.event);
    expect(status).toMatchObject({ type: 'status', status: 'failed', errorCode: 131026 });
    expect(status).not.toHaveProperty('failureReason');
    expect(revision).toEqual({
      type: 'message',
      eventId: `message:whatsapp:${message.id}`,
      occurredAt: at,
      channel: 'whatsapp',
      accountId: message.accountId,
      conversationId: message.conversationId,
      userKey: userKeyFor('whatsapp', message.accountId, message.participant.id),
      messageId: message.id,
      messageType: 'text',
      receivedAt: message.receivedAt,
      outcome: 'failed',
      replyKind: 'ai',
      model: 'm',
      usage: A_REPLY.usage,
      costUsd: A_REPLY.costUsd,
      latencyMs: A_REPLY.latencyMs,
      failureReason: 'whatsapp_undeliverable',
      participant: maskedParticipant('whatsapp', message.participant.id),
      ...(message.participant.name ? { profileName: message.participant.name } : {}),
    });
    // The transcript still says it was sent, and that its delivery failed.
    expect(await s.stored(message)).toMatchObject({ state: 'sent', delivery: { status: 'failed', errorCode: 131026 } });
  });

  it('finds the reply by its outbound id when the status does not name our message, and counts a failure without a reason as delivery_failed', async () => {
    const s = setup();
    const outboundId = `wamid.out.${randomUUID()}`;
    const message = await s.replyIn('sent', { outboundIds: [outboundId] });

    await s.useCase.execute(s.statusOf(message, outboundId, 'failed', { errors: [{ code: 131000 }] }));

    expect((await s.events()).map((p) => p.event)).toMatchObject([{ type: 'status' }, { type: 'message', messageId: message.id, outcome: 'failed', failureReason: 'delivery_failed' }]);
  });

  it('revises nothing, and counts the failure with the status, when the failed send is not a part of a sent reply', async () => {
    const s = setup();
    const outboundId = `wamid.out.${randomUUID()}`;
    const failedReply = await s.replyIn('failed', { outboundIds: [outboundId], failure: { stage: 'send', reason: 'outside_service_window' } });
    const template = `tpl.${randomUUID()}`;
    const sentReply = await s.replyIn('sent', { outboundIds: [`wamid.out.${randomUUID()}`], windowTemplate: { name: 'reengage_hello', state: 'sent', at: 1, outboundIds: [template] } });

    await s.useCase.execute(s.statusOf(failedReply, outboundId, 'failed', { errors: [{ code: 131026 }], failureReason: 'whatsapp_undeliverable' }));
    await s.useCase.execute(s.statusOf(sentReply, template, 'failed', { errors: [{ code: 131049 }], failureReason: 'whatsapp_marketing_limit' }));

    expect((await s.events()).map((p) => p.event)).toEqual([
      expect.objectContaining({ type: 'status', failureReason: 'whatsapp_undeliverable' }),
      expect.objectContaining({ type: 'status', failureReason: 'whatsapp_marketing_limit' }),
    ]);
  });

  it('sends no template when the reply failed for another reason', async () => {
    const s = setup();
    const outboundId = `wamid.out.${randomUUID()}`;
    const message = await s.replyIn('sent', { outboundIds: [outboundId] });
    await s.withTemplate(message);

    await s.useCase.execute(s.statusOf(message, outboundId, 'failed', { errors: [{ code: 131026 }], failureReason: 'whatsapp_error_131026' }));

    expect(s.channel.templates).toEqual([]);
  });

  it('never sends the template again when the answer to its send was lost', async () => {
    const s = setup();
    const outboundId = `wamid.out.${randomUUID()}`;
    const message = await s.replyIn('sent', { outboundIds: [outboundId] });
    await s.withTemplate(message);
    s.channel.failNextTemplates(1, false, 'send_outcome_unknown');

    const failed = s.statusOf(message, outboundId, 'failed', WINDOW_FAILURE);
    await s.useCase.execute(failed);
    await s.useCase.execute(failed);

    expect(s.channel.templates).toHaveLength(1);
    expect((await s.stored(message)).windowTemplate).toMatchObject({ state: 'unknown', reason: 'send_outcome_unknown' });
  });

  it('gives the claim back and asks for a redelivery when the template send failed before it left', async () => {
    const s = setup();
    const outboundId = `wamid.out.${randomUUID()}`;
    const message = await s.replyIn('sent', { outboundIds: [outboundId] });
    await s.withTemplate(message);
    s.channel.failNextTemplates(1, true, 'whatsapp_unreachable');

    const failed = s.statusOf(message, outboundId, 'failed', WINDOW_FAILURE);
    await expect(s.useCase.execute(failed)).rejects.toMatchObject({ retryable: true });
    expect((await s.stored(message)).windowTemplate).toBeUndefined();
    await s.useCase.execute(failed);

    expect(s.channel.templates).toHaveLength(2);
    expect((await s.stored(message)).windowTemplate).toMatchObject({ state: 'sent' });
  });
});

describe('ApplyDeliveryStatus settling unknown send outcomes', () => {
  it('resolves a send-unknown reply to sent, with its outbound id and delivery, when a status names our message', async () => {
    const s = setup();
    const message = await s.replyIn('send-unknown', { failure: { stage: 'send', reason: 'send_outcome_unknown' } });
    const outboundId = `wamid.out.${randomUUID()}`;

    const { result } = await s.useCase.execute(s.statusOf(message, outboundId, 'delivered', s.sentFor(message)));

    expect(result).toBe('resolved');
    const stored = await s.stored(message);
    expect(stored).toMatchObject({ state: 'sent', outboundIds: [outboundId], resolved: { status: 'delivered' }, delivery: { status: 'delivered' } });
    expect(stored.failure).toBeUndefined();
    // Later statuses find the reply by its outbound id as usual.
    expect((await s.useCase.execute(s.statusOf(message, outboundId, 'read'))).result).toBe('applied');
    const events = (await s.events()).map((p) => p.event);
    expect(events).toContainEqual(expect.objectContaining({ type: 'message', messageId: message.id, outcome: 'sent' }));
    expect(events.filter((e) => e.type === 'status')).toHaveLength(2);
  });

  it('resolves a send-unknown reply to failed with the status reason, counted once, when the status says it failed', async () => {
    const s = setup();
    const message = await s.replyIn('send-unknown', { failure: { stage: 'send', reason: 'send_outcome_unknown' } });
    const outboundId = `wamid.out.${randomUUID()}`;

    await s.useCase.execute(s.statusOf(message, outboundId, 'failed', { errors: [{ code: 131026 }], failureReason: 'whatsapp_error_131026', ...s.sentFor(message) }));

    expect(await s.stored(message)).toMatchObject({ state: 'failed', failure: { stage: 'send', reason: 'whatsapp_error_131026' }, outboundIds: [outboundId], resolved: { status: 'failed' } });
    const events = (await s.events()).map((p) => p.event);
    expect(events).toContainEqual(expect.objectContaining({ type: 'message', outcome: 'failed', failureReason: 'whatsapp_error_131026' }));
    // The message carries the failure: the status does not count it a second time.
    expect(events.find((e) => e.type === 'status')).not.toHaveProperty('failureReason');
  });

  it('settles a reply left sending by a worker that died after the send, and leaves its recording to the worker', async () => {
    const s = setup();
    const message = await s.replyIn('sending', { leaseUntil: s.clock.now() + 60_000, recorded: false });
    const outboundId = `wamid.out.${randomUUID()}`;

    await s.useCase.execute(s.statusOf(message, outboundId, 'sent', s.sentFor(message)));

    expect(await s.stored(message)).toMatchObject({ state: 'sent', leaseUntil: 0, outboundIds: [outboundId], resolved: { status: 'sent' }, recorded: false });
    expect((await s.events()).map((p) => p.event.type)).toEqual(['status']);
  });

  it('leaves the reply alone when the status names a part that is not the last one in flight, or a reply already sent', async () => {
    const s = setup();
    const multi = await s.replyIn('send-unknown');
    const sent = await s.replyIn('sent', { outboundIds: [`wamid.out.${randomUUID()}`] });

    const first = await s.useCase.execute(s.statusOf(multi, `wamid.out.${randomUUID()}`, 'sent', s.sentFor(multi, 0, 2)));
    const other = await s.useCase.execute(s.statusOf(sent, `wamid.out.${randomUUID()}`, 'sent', s.sentFor(sent)));

    expect([first.result, other.result]).toEqual(['unknown', 'unknown']);
    expect(await s.stored(multi)).toMatchObject({ state: 'send-unknown', outboundIds: [] });
    expect((await s.stored(sent)).outboundIds).toHaveLength(1);
  });
});
