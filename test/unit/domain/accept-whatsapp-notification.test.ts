import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryMessageBus, type Delivery } from '../../../src/adapters/memory/in-memory-message-bus.js';
import type { DeliveryStatus } from '../../../src/domain/model/delivery-status.js';
import { PublishError } from '../../../src/domain/model/errors.js';
import type { InboundEvent } from '../../../src/domain/model/events.js';
import type { InboundMessage } from '../../../src/domain/model/message.js';
import { AcceptWhatsAppNotification } from '../../../src/domain/use-cases/accept-whatsapp-notification.js';
import { aMessage } from '../../support/builders.js';

function setup() {
  const bus = new InMemoryMessageBus({ redeliveryDelayMs: 5 });
  const delivered: Delivery<InboundEvent>[] = [];
  bus.subscribe('inbound', async (delivery) => {
    delivered.push(delivery);
  });
  return { bus, delivered, useCase: new AcceptWhatsAppNotification(bus) };
}

const statusFor = (message: InboundMessage): DeliveryStatus => ({
  outboundId: `wamid.out.${randomUUID()}`,
  channel: 'whatsapp',
  accountId: message.accountId,
  conversationId: message.conversationId,
  recipientId: message.participant.id,
  status: 'delivered',
  at: 1_700_000_000_000,
});

describe('AcceptWhatsAppNotification', () => {
  it('publishes every message and status with the conversation id as ordering key when a notification holds several', async () => {
    const { bus, delivered, useCase } = setup();
    const first = aMessage({ text: 'one' });
    const second = aMessage({ participant: first.participant, text: 'two' });
    const elsewhere = aMessage({ text: 'other person' });
    const status = statusFor(first);

    const { published } = await useCase.execute({ messages: [first, second, elsewhere], statuses: [status] });
    await bus.idle();

    expect(published).toBe(4);
    expect(delivered.map((d) => [d.event, d.orderingKey, d.attributes.kind])).toEqual(
      expect.arrayContaining([
        [{ kind: 'message', message: first }, first.conversationId, 'message'],
        [{ kind: 'message', message: second }, first.conversationId, 'message'],
        [{ kind: 'message', message: elsewhere }, elsewhere.conversationId, 'message'],
        [{ kind: 'status', status }, first.conversationId, 'status'],
      ]),
    );
    expect(delivered).toHaveLength(4);
    const ofFirst = delivered.filter((d) => d.orderingKey === first.conversationId).map((d) => d.event);
    expect(ofFirst.map((e) => (e.kind === 'message' ? e.message.id : e.kind === 'status' ? e.status.outboundId : e.replyId))).toEqual([first.id, second.id, status.outboundId]);
  });

  it('publishes nothing and resolves when the notification is empty', async () => {
    const { bus, delivered, useCase } = setup();
    // A publish would fail: an empty notification must not even try.
    bus.failNextPublishes(1);

    expect(await useCase.execute({ messages: [], statuses: [] })).toEqual({ published: 0 });
    await bus.idle();
    expect(delivered).toEqual([]);
  });

  it('rejects with a PublishError and delivers nothing when the publish fails', async () => {
    const { bus, delivered, useCase } = setup();
    bus.failNextPublishes(1);

    await expect(useCase.execute({ messages: [aMessage()], statuses: [] })).rejects.toBeInstanceOf(PublishError);
    await bus.idle();
    expect(delivered).toEqual([]);
  });
});
