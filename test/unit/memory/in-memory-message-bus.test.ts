import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryMessageBus } from '../../../src/adapters/memory/in-memory-message-bus.js';
import { PublishError } from '../../../src/domain/model/errors.js';
import type { InboundEvent } from '../../../src/domain/model/events.js';
import { aMessage } from '../../support/builders.js';

const anEvent = (): InboundEvent => ({ kind: 'message', message: aMessage() });

// Behaviour beyond the MessageBus contract (see test/contract): the fake's own test controls.
describe('InMemoryMessageBus', () => {
  it('delivers messages published before the subscription when a subscriber arrives', async () => {
    const bus = new InMemoryMessageBus({ redeliveryDelayMs: 5 });
    const events = [anEvent(), anEvent()];
    await bus.publish('inbound', events.map((event) => ({ event, orderingKey: 'k' })));
    await bus.idle();
    const received: InboundEvent[] = [];

    bus.subscribe('inbound', async ({ event }) => {
      received.push(event);
    });
    await bus.idle();

    expect(received).toEqual(events);
  });

  it('refuses a second subscriber when the topic already has one', () => {
    const bus = new InMemoryMessageBus();
    bus.subscribe('inbound', async () => {});
    expect(() => bus.subscribe('inbound', async () => {})).toThrow(/already has a subscriber/);
  });

  it('keeps topics apart when both have subscribers', async () => {
    const bus = new InMemoryMessageBus({ redeliveryDelayMs: 5 });
    const inbound: unknown[] = [];
    const interactions: unknown[] = [];
    bus.subscribe('inbound', async ({ event }) => void inbound.push(event));
    bus.subscribe('interactions', async ({ event }) => void interactions.push(event));
    const event = anEvent();

    await bus.publish('inbound', [{ event, orderingKey: 'same-key' }]);
    await bus.idle();

    expect(inbound).toEqual([event]);
    expect(interactions).toEqual([]);
  });

  it('reports every nack and the dead letter to the hooks when a message always fails', async () => {
    const nacks: number[] = [];
    const dead: string[] = [];
    const bus = new InMemoryMessageBus({
      redeliveryDelayMs: 1,
      maxDeliveryAttempts: 3,
      onNack: (_, delivery) => nacks.push(delivery.deliveryAttempt),
      onDeadLetter: (topic, _, error) => dead.push(`${topic}:${(error as Error).message}`),
    });
    bus.subscribe('inbound', async () => {
      throw new Error('always');
    });

    await bus.publish('inbound', [{ event: anEvent() }]);
    await bus.idle();

    expect(nacks).toEqual([1, 2, 3]);
    expect(dead).toEqual(['inbound:always']);
    expect(bus.deadLetters('inbound')).toHaveLength(1);
    expect(bus.deadLetters('interactions')).toEqual([]);
  });

  it('rejects publishes with a PublishError when the bus is closed', async () => {
    const bus = new InMemoryMessageBus();
    await bus.close();
    await expect(bus.publish('inbound', [{ event: anEvent() }])).rejects.toBeInstanceOf(PublishError);
  });

  it('fails exactly the requested number of publishes when failNextPublishes is called', async () => {
    const bus = new InMemoryMessageBus({ redeliveryDelayMs: 5 });
    const received: string[] = [];
    bus.subscribe('inbound', async ({ event }) => void received.push(event.kind === 'message' ? event.message.id : ''));
    bus.failNextPublishes(2, new Error('quota'));
    const events = [anEvent(), anEvent(), anEvent()];

    const results = await Promise.allSettled(events.map((event) => bus.publish('inbound', [{ event, orderingKey: randomUUID() }])));
    await bus.idle();

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason.message).toContain('quota');
    expect(received).toEqual([events[2]!.kind === 'message' ? events[2]!.message.id : '']);
  });

  it('resolves idle immediately when nothing was published', async () => {
    await expect(new InMemoryMessageBus().idle()).resolves.toBeUndefined();
  });
});
