import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { PublishError } from '../../src/domain/model/errors.js';
import type { InteractionEvent, StatusInteraction } from '../../src/domain/model/interaction.js';
import type { BusMessage, MessageBus, TopicName, Topics } from '../../src/domain/ports/message-bus.js';
import { aStatusEvent } from '../support/builders.js';

/** What a subscriber receives; the shape every bus adapter's test harness hands to handlers. */
export interface ReceivedMessage<T> {
  event: T;
  attributes: Record<string, string>;
  orderingKey?: string;
  deliveryAttempt: number;
}

export interface BusTestOptions {
  redeliveryDelayMs: number;
  maxDeliveryAttempts: number;
  /** Copies of each message handed out on its first delivery (at-least-once chaos). */
  duplicates?: number;
}

/**
 * A bus plus the test-side controls its contract needs. `bus` is the port; the rest is what a
 * harness around a real adapter (an emulator subscription, a dead-letter topic) must provide.
 */
export interface BusUnderTest {
  bus: MessageBus;
  /** Resolving acks a delivery, rejecting nacks it. */
  subscribe<K extends TopicName>(topic: K, handler: (message: ReceivedMessage<Topics[K]>) => Promise<void>): void | Promise<void>;
  /** Resolves once every published message has been acked or dead-lettered. */
  idle(): Promise<void>;
  deadLetters(topic: TopicName): readonly ReceivedMessage<unknown>[];
  /** Makes the next `count` publishes fail. */
  failNextPublishes(count: number): void;
  cleanup?: () => Promise<void>;
}

/** Cases an implementation cannot run, each with the reason; the reasons are shown in the suite name. */
export interface BusLimitations {
  duplicates?: string;
  deadLetters?: string;
}

type Event = InteractionEvent;

/** The shared cases every MessageBus implementation must pass. */
export function messageBusContract(
  name: string,
  make: (options: BusTestOptions) => Promise<BusUnderTest>,
  limitations: BusLimitations = {},
): void {
  const without = Object.entries(limitations).map(([test, reason]) => `${test}: ${reason}`);
  describe(without.length > 0 ? `${name} (not run: ${without.join('; ')})` : name, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });

    async function aBus(options: Partial<BusTestOptions> = {}): Promise<BusUnderTest> {
      const harness = await make({ redeliveryDelayMs: 5, maxDeliveryAttempts: 5, ...options });
      if (harness.cleanup) cleanups.push(harness.cleanup);
      return harness;
    }

    /** Events carrying this test's run id, so a shared topic's other traffic can be ignored. */
    function events(run: string, key: string, count: number): StatusInteraction[] {
      return Array.from({ length: count }, (_, i) => aStatusEvent(run, key, i));
    }
    const ordered = (items: Event[]): BusMessage<Event>[] => items.map((event) => ({ event, orderingKey: event.conversationId }));
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    it('delivers every published message exactly once when handlers succeed', async () => {
      const { bus, subscribe, idle } = await aBus();
      const run = randomUUID();
      const received: string[] = [];
      await subscribe('interactions', async ({ event }) => {
        if (event.accountId === run) received.push(event.eventId);
      });
      const keyed = events(run, `k-${run}`, 10);
      const unordered = events(run, `u-${run}`, 10);

      await bus.publish('interactions', ordered(keyed));
      await bus.publish('interactions', unordered.map((event) => ({ event })));
      await idle();

      expect(received.toSorted()).toEqual([...keyed, ...unordered].map((e) => e.eventId).toSorted());
    });

    it('carries the attributes and ordering key beside the event when a message is delivered', async () => {
      const { bus, subscribe, idle } = await aBus();
      const run = randomUUID();
      const received: ReceivedMessage<Event>[] = [];
      await subscribe('interactions', async (message) => {
        if (message.event.accountId === run) received.push(message);
      });
      const [event] = events(run, `k-${run}`, 1);

      await bus.publish('interactions', [{ event: event!, orderingKey: `k-${run}`, attributes: { kind: 'status', trace: 't-1' } }]);
      await idle();

      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ event, orderingKey: `k-${run}`, attributes: { kind: 'status', trace: 't-1' }, deliveryAttempt: 1 });
    });

    it('keeps each ordering key in publish order when handlers take random time', async () => {
      const { bus, subscribe, idle } = await aBus();
      const run = randomUUID();
      const keys = [`a-${run}`, `b-${run}`, `c-${run}`];
      const seen = new Map<string, string[]>(keys.map((key) => [key, []]));
      await subscribe('interactions', async ({ event }) => {
        if (event.accountId !== run) return;
        await sleep(Math.floor(Math.random() * 6));
        seen.get(event.conversationId)!.push(event.eventId);
      });
      const byKey = keys.map((key) => events(run, key, 10));

      // Interleaved publishes of the three keys, some batched, some one by one.
      for (let i = 0; i < 10; i += 2) {
        for (const list of byKey) await bus.publish('interactions', ordered(list.slice(i, i + 2)));
      }
      await idle();

      keys.forEach((key, k) => expect(seen.get(key)).toEqual(byKey[k]!.map((e) => e.eventId)));
    });

    it('holds back later messages of a key, but not other keys, when a message is nacked twice before it succeeds', async () => {
      const { bus, subscribe, idle, deadLetters } = await aBus();
      const run = randomUUID();
      const [slowKey, fastKey] = [`slow-${run}`, `fast-${run}`];
      const slow = events(run, slowKey, 4);
      const fast = events(run, fastKey, 4);
      const log: string[] = [];
      const attemptsOfFirst: number[] = [];
      await subscribe('interactions', async ({ event, deliveryAttempt }) => {
        if (event.accountId !== run) return;
        if (event.eventId === slow[0]!.eventId) {
          attemptsOfFirst.push(deliveryAttempt);
          if (deliveryAttempt < 3) throw new Error(`nack ${deliveryAttempt}`);
        }
        log.push(event.eventId);
      });

      await bus.publish('interactions', ordered([...slow, ...fast]));
      await idle();

      expect(attemptsOfFirst).toEqual([1, 2, 3]);
      expect(log.filter((id) => id.includes(slowKey))).toEqual(slow.map((e) => e.eventId));
      expect(log.filter((id) => id.includes(fastKey))).toEqual(fast.map((e) => e.eventId));
      // The other key finished while the first message of the slow key was still being retried.
      expect(log.indexOf(fast[3]!.eventId)).toBeLessThan(log.indexOf(slow[0]!.eventId));
      expect(deadLetters('interactions')).toEqual([]);
    });

    it('redelivers with an incremented deliveryAttempt when the handler rejects', async () => {
      const { bus, subscribe, idle, deadLetters } = await aBus();
      const run = randomUUID();
      const attempts: number[] = [];
      await subscribe('interactions', async ({ event, deliveryAttempt }) => {
        if (event.accountId !== run) return;
        attempts.push(deliveryAttempt);
        if (deliveryAttempt <= 2) throw new Error('not yet');
      });

      await bus.publish('interactions', ordered(events(run, `k-${run}`, 1)));
      await idle();

      expect(attempts).toEqual([1, 2, 3]);
      expect(deadLetters('interactions')).toEqual([]);
    });

    if (!limitations.deadLetters) {
      it('dead-letters a message and moves on to the next of its key when every delivery up to maxDeliveryAttempts fails', async () => {
        const { bus, subscribe, idle, deadLetters } = await aBus({ maxDeliveryAttempts: 3 });
        const run = randomUUID();
        const [poison, next] = events(run, `k-${run}`, 2);
        const attempts: number[] = [];
        const acked: string[] = [];
        await subscribe('interactions', async ({ event, deliveryAttempt }) => {
          if (event.accountId !== run) return;
          if (event.eventId === poison!.eventId) {
            attempts.push(deliveryAttempt);
            throw new Error('poison');
          }
          acked.push(event.eventId);
        });

        await bus.publish('interactions', ordered([poison!, next!]));
        await idle();

        expect(attempts).toEqual([1, 2, 3]);
        expect(deadLetters('interactions').map((d) => d.event)).toEqual([poison]);
        expect(acked).toEqual([next!.eventId]);
      });
    }

    if (!limitations.duplicates) {
      it('hands each message out 3 times on its first delivery when configured with duplicates 3', async () => {
        const { bus, subscribe, idle } = await aBus({ duplicates: 3 });
        const run = randomUUID();
        const received: ReceivedMessage<Event>[] = [];
        await subscribe('interactions', async (message) => {
          if (message.event.accountId === run) received.push(message);
        });
        const published = events(run, `k-${run}`, 4);

        await bus.publish('interactions', ordered(published));
        await idle();

        expect(received).toHaveLength(12);
        for (const event of published) {
          expect(received.filter((m) => m.event.eventId === event.eventId).map((m) => m.deliveryAttempt)).toEqual([1, 1, 1]);
        }
      });
    }

    it('rejects with a retryable PublishError and delivers nothing when the publish fails', async () => {
      const { bus, subscribe, idle, failNextPublishes } = await aBus();
      const run = randomUUID();
      const received: string[] = [];
      await subscribe('interactions', async ({ event }) => {
        if (event.accountId === run) received.push(event.eventId);
      });
      const [lost, kept] = events(run, `k-${run}`, 2);
      failNextPublishes(1);

      const failed = bus.publish('interactions', ordered([lost!]));
      await expect(failed).rejects.toBeInstanceOf(PublishError);
      await expect(failed).rejects.toMatchObject({ retryable: true, code: 'publish_failed' });
      await bus.publish('interactions', ordered([kept!]));
      await idle();

      expect(received).toEqual([kept!.eventId]);
    });

    it('delivers a JSON copy of the event when the publisher keeps and mutates its object', async () => {
      const { bus, subscribe, idle } = await aBus();
      const run = randomUUID();
      const received: Event[] = [];
      await subscribe('interactions', async ({ event }) => {
        if (event.accountId === run) received.push(event);
      });
      const [event] = events(run, `k-${run}`, 1);
      const withUndefined = { ...event!, pricingCategory: undefined };
      const snapshot = structuredClone(event);

      await bus.publish('interactions', ordered([withUndefined]));
      withUndefined.status = 'read';
      await idle();

      expect(received).toHaveLength(1);
      expect(received[0]).not.toBe(withUndefined);
      expect(received[0]).toEqual(snapshot);
      expect(received[0]).not.toHaveProperty('pricingCategory');
    });
  });
}
