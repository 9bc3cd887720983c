import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { createFirestore, FirestoreChatStore } from '../../src/adapters/firestore/firestore-chat-store.js';
import { aMessage } from '../support/builders.js';
import { TcpProxy } from '../support/tcp-proxy.js';

// A transition whose commit Firestore applied but whose answer was lost (the connection reset
// while the answer was on its way back): the SDK retries the commit, the retry fails its
// update-time precondition on our own write, and that must still count as written.
describe('FirestoreChatStore', () => {
  it('answers its own applied write, not a lost race, when the answer to the commit is lost', { timeout: 30_000 }, async () => {
    const proxy = TcpProxy.to(inject('firestoreEmulatorHost'));
    await proxy.start();
    const project = `demo-lost-${randomUUID().slice(0, 8)}`;
    const store = new FirestoreChatStore(createFirestore(project, { emulatorHost: proxy.host }));
    const direct = new FirestoreChatStore(createFirestore(project, { emulatorHost: inject('firestoreEmulatorHost') }));
    try {
      const message = aMessage();
      const { record } = await store.register(message, Date.now());
      // 300 ms each way: the read takes ~600 ms, the commit reaches Firestore ~300 ms later and
      // its answer is held 300 ms more in the proxy; the reset comes in that last window.
      proxy.latency(300);
      const pending = store.transition(message.conversationId, message.id, record.version, { state: 'sending', leaseUntil: Date.now() + 60_000, sendAttempts: 1 });
      await new Promise((resolve) => setTimeout(resolve, 1_050));
      proxy.resetAll();
      proxy.latency(0);
      const written = await pending;

      const [stored] = await direct.messages(message.conversationId, { limit: 1 });
      expect(stored).toMatchObject({ state: 'sending', version: record.version + 1 });
      expect(written).toMatchObject({ state: 'sending', version: record.version + 1 });
    } finally {
      await Promise.allSettled([store.close(), direct.close(), proxy.stop()]);
    }
  });
});
