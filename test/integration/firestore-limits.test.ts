import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createFirestore, FirestoreChatStore } from '../../src/adapters/firestore/firestore-chat-store.js';
import { InMemoryMessageBus } from '../../src/adapters/memory/in-memory-message-bus.js';
import { ScriptedCompletionModel } from '../../src/adapters/scripted/scripted-completion-model.js';
import { apiConversationIdFor } from '../../src/domain/model/ids.js';
import { ReplyToMessage } from '../../src/domain/use-cases/reply-to-message.js';
import { aMessage } from '../support/builders.js';
import { GatedModel, tenConcurrentGenerations } from '../support/concurrent-generations.js';
import { FixedClock } from '../support/fixed-clock.js';
import { RecordingReplyChannel } from '../support/recording-reply-channel.js';
import { TEST_POLICY, testTokens } from '../support/reply-harness.js';
import { ScriptedTranscriber } from '../support/scripted-transcriber.js';

// The reply limits on the Firestore emulator: the participant's window is a collection-group
// query and the spend reservation a compare-and-set, so both are proven on the real adapter too.

const db = createFirestore(inject('emulatorProject'), { emulatorHost: inject('firestoreEmulatorHost') });
afterAll(() => db.terminate());
const aStore = () => new FirestoreChatStore(db, { collectionPrefix: `t_${randomUUID().slice(0, 8)}_` });

describe('ReplyToMessage limits on Firestore', () => {
  it('limits an API user who sends each message of a minute under another conversationId', async () => {
    const store = aStore();
    const model = new ScriptedCompletionModel();
    const clock = new FixedClock();
    const useCase = new ReplyToMessage(store, model, new RecordingReplyChannel(), new InMemoryMessageBus(), clock, { ...TEST_POLICY, ratePerMinute: 3 }, testTokens(), new ScriptedTranscriber());
    const userId = `user-${randomUUID()}`;
    const notes: (string | undefined)[] = [];
    for (const text of ['one', 'two', 'three', 'four', 'five']) {
      clock.advance(1_000);
      const message = aMessage({ channel: 'api', accountId: 'default', participant: { id: userId }, conversationId: apiConversationIdFor('default', userId, `ticket-${randomUUID()}`), receivedAt: clock.now(), text });
      await useCase.execute(message);
      const { record } = await store.register(message, clock.now());
      notes.push(record.reply?.kind === 'limit' ? 'limit-reply' : (record.note ?? record.reply?.kind));
    }

    expect(notes).toEqual(['ai', 'ai', 'ai', 'limit-reply', 'rate_limited']);
    expect(model.calls).toBe(3);
  });

  it('calls the model at most as often as the estimates fit under the daily cap when 10 generations run at once', async () => {
    const model = new GatedModel();
    const { store, finish, accountId, day } = tenConcurrentGenerations(model, aStore());

    await finish();

    expect(model.calls).toBe(3);
    expect(await store.spendOf(accountId, day)).toBe(15);
  });
});
