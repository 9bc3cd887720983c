import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InMemoryDeadLetterStore } from '../../src/adapters/memory/in-memory-dead-letter-store.js';
import { InMemoryMessageBus, type Delivery } from '../../src/adapters/memory/in-memory-message-bus.js';
import { deadLetterSink } from '../../src/composition/dead-letter-sink.js';
import type { InboundEvent } from '../../src/domain/model/events.js';
import { REPLAY_OF_ATTRIBUTE, ReplayDeadLetter } from '../../src/domain/use-cases/replay-dead-letter.js';
import { createLogger } from '../../src/observability/logger.js';
import { aMessage } from '../support/builders.js';
import { FixedClock } from '../support/fixed-clock.js';

function aPoisonedBus() {
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const logger = createLogger({ level: 'info', stream });
  const store = new InMemoryDeadLetterStore();
  const clock = new FixedClock();
  const sink = deadLetterSink(store, clock, logger);
  const stored: Promise<void>[] = [];
  const bus = new InMemoryMessageBus({ redeliveryDelayMs: 1, maxRedeliveryDelayMs: 2, maxDeliveryAttempts: 3, onDeadLetter: (topic, delivery) => void stored.push(sink(topic, delivery)) });
  return { bus, store, clock, stored, logText: () => lines.join('\n') };
}

describe('deadLetterSink (ROLE=all)', () => {
  it('stores what the in-process bus dead-letters, and a replay reaches the healed consumer with the replay mark', async () => {
    const { bus, store, clock, stored, logText } = aPoisonedBus();
    const message = aMessage({ text: 'Bitte um Rückruf' });
    let healed = false;
    const received: Delivery<InboundEvent>[] = [];
    bus.subscribe('inbound', async (delivery) => {
      received.push(delivery);
      if (!healed) throw new Error('downstream unavailable');
    });

    await bus.publish('inbound', [{ event: { kind: 'message', message }, orderingKey: message.conversationId, attributes: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } }]);
    await bus.idle();
    await Promise.all(stored);

    const [letter] = (await store.list({ limit: 10 })).items;
    expect(letter).toMatchObject({
      topic: 'inbound',
      event: { kind: 'message', message },
      messageId: received[0]!.messageId,
      orderingKey: message.conversationId,
      conversationId: message.conversationId,
      deliveryAttempts: 3,
      deadLetteredAt: clock.now(),
      replays: 0,
    });
    expect(logText()).toContain('dead letter stored');
    expect(logText()).not.toContain('Rückruf');

    healed = true;
    expect((await new ReplayDeadLetter(store, bus, clock).execute({ id: letter!.id })).kind).toBe('replayed');
    await bus.idle();
    expect(received).toHaveLength(4);
    expect(received[3]).toMatchObject({ event: { kind: 'message', message }, orderingKey: message.conversationId, attributes: { [REPLAY_OF_ATTRIBUTE]: letter!.id } });
  });

  it('gives every bus its own message ids, so letters of a restarted process never collide with stored ones', async () => {
    const ids: string[] = [];
    for (const bus of [new InMemoryMessageBus(), new InMemoryMessageBus()]) {
      bus.subscribe('inbound', async ({ messageId }) => void ids.push(messageId));
      await bus.publish('inbound', [{ event: { kind: 'message', message: aMessage() } }]);
      await bus.idle();
    }
    expect(new Set(ids).size).toBe(2);
  });
});
