import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { Message } from '@google-cloud/pubsub';
import { expect, inject, it } from 'vitest';
import { interactionEventSchema } from '../../src/adapters/codec/event-schemas.js';
import { createPubSub, PubSubMessageBus } from '../../src/adapters/pubsub/pubsub-message-bus.js';
import { PubSubPullConsumer } from '../../src/adapters/pubsub/pubsub-pull-consumer.js';
import { createLogger } from '../../src/observability/logger.js';

const host = inject('pubsubEmulatorHost');
const project = inject('emulatorProject');
const logger = createLogger({ level: 'debug', stream: new Writable({ write(_c, _e, done) { done(); } }) });

it('scratch timeline', { timeout: 60_000 }, async () => {
  const admin = createPubSub(project, { apiEndpoint: host });
  const topic = `scratch-${randomUUID().slice(0, 12)}`;
  await admin.createTopic(topic);
  const [dl] = await admin.createTopic(`${topic}-dl`);
  await admin.topic(topic).createSubscription(`${topic}-sub`, {
    enableMessageOrdering: true,
    deadLetterPolicy: { deadLetterTopic: `projects/${project}/topics/${topic}-dl`, maxDeliveryAttempts: 5 },
    retryPolicy: { minimumBackoff: { seconds: 0 }, maximumBackoff: { seconds: 1 } },
  });
  void dl;
  const client = createPubSub(project, { apiEndpoint: host });
  const bus = new PubSubMessageBus(client, { inbound: topic, interactions: topic });
  const t0 = performance.now();
  const now = () => Math.round((performance.now() - t0) * 10) / 10;
  const events: unknown[] = [];
  const run = randomUUID();
  const keys = ['a', 'b', 'c'].map((k) => `${k}-${run}`);
  let running = 0;
  let mostRunning = 0;
  const done = new Set<string>();
  let finish!: () => void;
  const all = new Promise<void>((r) => (finish = r));
  const consumer = new PubSubPullConsumer(client, `${topic}-sub`, interactionEventSchema, async ({ event, messageId, deliveryAttempt }) => {
    const key = event.conversationId[0];
    running += 1;
    mostRunning = Math.max(mostRunning, running);
    events.push({ t: now(), ev: 'start', key, i: event.occurredAt, messageId, deliveryAttempt, running });
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 8)));
    running -= 1;
    events.push({ t: now(), ev: 'end', key, i: event.occurredAt });
    done.add(messageId);
    if (done.size >= 60) finish();
  }, logger);
  consumer.start();
  (consumer as unknown as { subscription: { on(e: string, l: (m: Message) => void): void } }).subscription.on('message', (m: Message) => {
    const e = JSON.parse(m.data.toString()) as { conversationId: string; occurredAt: number };
    events.push({ t: now(), ev: 'recv', key: e.conversationId[0], i: e.occurredAt, id: m.id, attempt: m.deliveryAttempt });
  });
  const publishes = [];
  for (let i = 0; i < 20; i++)
    for (const key of keys)
      publishes.push(
        bus
          .publish('interactions', [{ event: { type: 'status', eventId: `${run}:${key}:${i}`, occurredAt: i, channel: 'whatsapp', accountId: run, conversationId: key, userKey: 'u_test', outboundId: `out-${i}`, status: 'delivered' }, orderingKey: key }])
          .then(() => events.push({ t: now(), ev: 'published', key: key[0], i })),
      );
  await Promise.all(publishes);
  await all;
  writeFileSync(`/tmp/flaky/timeline-${process.pid}-${mostRunning}.json`, JSON.stringify(events, null, 0).replaceAll('},{', '},\n{'));
  await consumer.close();
  await bus.close();
  await admin.close();
  expect(mostRunning).toBeGreaterThan(1);
});
