import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryChatStore } from '../../../src/adapters/memory/in-memory-chat-store.js';
import { InMemoryMessageBus } from '../../../src/adapters/memory/in-memory-message-bus.js';
import type { DeliveryStatus } from '../../../src/domain/model/delivery-status.js';
import { userKeyFor } from '../../../src/domain/model/ids.js';
import type { InteractionEvent } from '../../../src/domain/model/interaction.js';
import type { InboundMessage } from '../../../src/domain/model/message.js';
import { ApplyDeliveryStatus } from '../../../src/domain/use-cases/apply-delivery-status.js';
import { aMessage } from '../../support/builders.js';

function setup() {
  const store = new InMemoryChatStore();
  const bus = new InMemoryMessageBus({ redeliveryDelayMs: 5 });
  const published: { event: InteractionEvent; orderingKey: string | undefined }[] = [];
  bus.subscribe('interactions', async ({ event, orderingKey }) => {
    published.push({ event, orderingKey });
  });
  const useCase = new ApplyDeliveryStatus(store, bus);

  async function sentReply(): Promise<{ message: InboundMessage; outboundId: string }> {
    const message = aMessage();
    const outboundId = `wamid.out.${randomUUID()}`;
    const { record } = await store.register(message, Date.now());
    await store.transition(message.conversationId, message.id, record.version, { state: 'sent', outboundIds: [outboundId] });
    return { message, outboundId };
  }

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
  return { store, bus, useCase, sentReply, statusOf, stored, events };
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

    const published = await s.events();
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
