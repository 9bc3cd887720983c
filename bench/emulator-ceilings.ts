// What the emulators themselves allow the worker, measured in the same run as the worker: the
// Firestore emulator's compare-and-set commits per second at the worker's concurrency (each a
// precondition-guarded update, as a transition writes), and the Pub/Sub emulator's ordered
// streaming pull with a flow control of as many messages as the worker runs at once and a handler
// that only waits the model's latency.
import { randomUUID } from 'node:crypto';
import type { PubSub } from '@google-cloud/pubsub';
import { createFirestore } from '../src/adapters/firestore/firestore-chat-store.js';

const SECONDS = 3;

/** Commits per second of `concurrency` writers, each updating its own document under an update-time precondition. */
export async function firestoreCommitRate(project: string, emulatorHost: string, concurrency: number): Promise<number> {
  const db = createFirestore(project, { emulatorHost });
  try {
    const collection = db.collection(`bench-rate-${randomUUID().slice(0, 8)}`);
    let commits = 0;
    const writer = async (w: number, end: number) => {
      const ref = collection.doc(`writer-${w}`);
      let { writeTime } = await ref.set({ n: 0 });
      while (performance.now() < end) {
        const batch = db.batch();
        batch.update(ref, { n: commits }, { lastUpdateTime: writeTime });
        const [written] = await batch.commit();
        writeTime = written!.writeTime;
        commits += 1;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, (_, w) => writer(w, started + SECONDS * 1000)));
    return Math.round(commits / ((performance.now() - started) / 1000));
  } finally {
    await db.terminate();
  }
}

/** Messages per second the Pub/Sub emulator delivers on an ordered subscription at `maxMessages` when each takes `handlerMs`. */
export async function orderedPullRate(pubsub: PubSub, options: { keys: number; messages: number; maxMessages: number; handlerMs: number }): Promise<number> {
  const name = `bench-pull-${randomUUID().slice(0, 8)}`;
  const [topic] = await pubsub.createTopic(name);
  const [created] = await topic.createSubscription(`${name}-sub`, { enableMessageOrdering: true });
  const subscription = pubsub.subscription(created.name, { flowControl: { maxMessages: options.maxMessages, allowExcessMessages: false } });
  try {
    const publisher = pubsub.topic(name, { messageOrdering: true, batching: { maxMessages: 100, maxMilliseconds: 5 } });
    let acked = 0;
    const all = new Promise<void>((resolve) =>
      subscription.on('message', (message) =>
        setTimeout(() => {
          message.ack();
          if (++acked === options.messages) resolve();
        }, options.handlerMs),
      ),
    );
    const started = performance.now();
    await Promise.all(Array.from({ length: options.messages }, (_, i) => publisher.publishMessage({ data: Buffer.from(String(i)), orderingKey: `key-${i % options.keys}` })));
    await all;
    return Math.round(options.messages / ((performance.now() - started) / 1000));
  } finally {
    await subscription.close();
    await created.delete();
    await topic.delete();
  }
}
