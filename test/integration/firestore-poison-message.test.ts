import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createFirestore, FirestoreChatStore } from '../../src/adapters/firestore/firestore-chat-store.js';
import { ScriptedCompletionModel } from '../../src/adapters/scripted/scripted-completion-model.js';
import { TOKENS } from '../../src/composition/tokens.js';
import type { InboundEvent } from '../../src/domain/model/events.js';
import { aMessage } from '../support/builders.js';
import { aPushEnvelope, pushRequest } from '../support/pubsub-envelope.js';
import { RecordingReplyChannel } from '../support/recording-reply-channel.js';
import { roleHarness } from '../support/role-harness.js';

const db = createFirestore(inject('emulatorProject'), { emulatorHost: inject('firestoreEmulatorHost') });
afterAll(() => db.terminate());

/** The worker's push endpoint on the Firestore emulator, with the scripted model and a recording channel. */
async function firestoreWorker() {
  const model = new ScriptedCompletionModel();
  const channel = new RecordingReplyChannel();
  const store = new FirestoreChatStore(db, { collectionPrefix: `t_${randomUUID().slice(0, 8)}_` });
  const h = await roleHarness({ overrides: { [TOKENS.CompletionModel]: model, [TOKENS.ReplyChannel]: channel, [TOKENS.ChatStore]: store } });
  return { ...h, model, channel, store };
}

describe('Worker POST /pubsub/push on Firestore', () => {
  it('acks (204) a message whose id Firestore refuses as invalid and logs it as a permanent failure, without a model call or send', async () => {
    const h = await firestoreWorker();
    // Published before the listener validated webhook-id: Firestore refuses ids over 1,500 bytes.
    const message = aMessage({ id: `msg_${'x'.repeat(1_600)}`, receivedAt: h.clock.now() });
    const event: InboundEvent = { kind: 'message', message };
    const messageId = `poison-${randomUUID()}`;

    const first = await h.app.request('/pubsub/push', pushRequest(aPushEnvelope(event, { messageId, deliveryAttempt: 1 })));

    expect(first.status).toBe(204);
    expect(h.model.calls).toBe(0);
    expect(h.channel.attempts).toEqual([]);
    expect(h.logs()).toContainEqual(
      expect.objectContaining({ severity: 'ERROR', message: expect.stringMatching(/^pubsub message failed permanently; acknowledged ChatStoreRejectedError: .*\n {4}at /), messageId, errorCode: 'chat_store_rejected' }),
    );
    expect(h.logs().some((entry) => entry.message === 'pubsub message nacked for redelivery')).toBe(false);
  });
});
