import { randomUUID } from 'node:crypto';
import { Timestamp } from '@google-cloud/firestore';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { ChatStoreRejectedError, ChatStoreUnavailableError, translateError } from '../../src/adapters/firestore/chat-store-unavailable-error.js';
import { newAgentReply } from '../../src/domain/model/agent-reply.js';
import { isRetryable } from '../../src/domain/model/errors.js';
import { createFirestore, FirestoreChatStore } from '../../src/adapters/firestore/firestore-chat-store.js';
import { aMessage } from '../support/builders.js';
import { aStatus } from './chat-store.fixture.js';
import { chatStoreContracts } from './chat-store.contracts.js';

const db = createFirestore(inject('emulatorProject'), { emulatorHost: inject('firestoreEmulatorHost') });
afterAll(() => db.terminate());

/** Every store of this file gets root collections of its own: suites share one emulator. */
const filePrefix = `t_${randomUUID().slice(0, 8)}_`;
let stores = 0;
const aStore = (options: { retentionDays?: number } = {}) => {
  const collectionPrefix = `${filePrefix}${++stores}_`;
  return { store: new FirestoreChatStore(db, { collectionPrefix, ...options }), collectionPrefix };
};

chatStoreContracts('FirestoreChatStore', async () => ({ store: aStore().store }));

describe('FirestoreChatStore', () => {
  describe('documents', () => {
    it('stores a message under an encoded id with top-level ordering fields and an expireAt timestamp when it is registered', async () => {
      const { store, collectionPrefix } = aStore({ retentionDays: 30 });
      const message = aMessage({ id: `wamid.HBgL/${randomUUID()}==` });
      const before = Date.now();

      const { record } = await store.register(message, before);

      const raw = await db.doc(`${collectionPrefix}conversations/${message.conversationId}/messages/${encodeURIComponent(message.id)}`).get();
      expect(raw.exists).toBe(true);
      expect(raw.get('receivedAt')).toBe(message.receivedAt);
      expect(raw.get('version')).toBe(1);
      const expireAt = raw.get('expireAt') as Timestamp;
      expect(expireAt).toBeInstanceOf(Timestamp);
      expect(expireAt.toMillis()).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
      expect(expireAt.toMillis()).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000);
      const conversation = await db.doc(`${collectionPrefix}conversations/${message.conversationId}`).get();
      expect(conversation.get('expireAt')).toBeInstanceOf(Timestamp);
      expect(Object.keys(record).sort()).toEqual(['attempts', 'leaseUntil', 'message', 'outboundIds', 'recorded', 'sendAttempts', 'state', 'updatedAt', 'version']);
    });

    it('keeps the handoff of a conversation a person holds alive as long as its messages: each claim under it refreshes its expireAt', async () => {
      const { store, collectionPrefix } = aStore({ retentionDays: 30 });
      const first = aMessage();
      await store.register(first, Date.now());
      await store.replaceHandoff(first.conversationId, 0, { mode: 'human', agent: 'Grace', since: Date.now() });
      const handoffDoc = db.doc(`${collectionPrefix}handoffs/${first.conversationId}`);
      // As if it was written long ago: only a claim can bring it forward again.
      await handoffDoc.update({ expireAt: Timestamp.fromMillis(Date.now() + 86_400_000) });
      const later = { ...aMessage({ accountId: first.accountId, participant: first.participant }), conversationId: first.conversationId };
      const { record } = await store.register(later, Date.now());
      const before = Date.now();

      const claim = await store.claim(later.conversationId, later.id, record.version, { bot: { state: 'generating' }, human: { state: 'skipped', note: 'human_mode' } });

      expect(claim?.mode).toBe('human');
      expect(((await handoffDoc.get()).get('expireAt') as Timestamp).toMillis()).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    });

    it('writes the outbound pointer in the same write as the outbound ids and refreshes expireAt', async () => {
      const { store, collectionPrefix } = aStore();
      const message = aMessage();
      const { record } = await store.register(message, Date.now());
      const outboundId = `wamid.out/${randomUUID()}`;

      const sent = await store.transition(message.conversationId, message.id, record.version, { state: 'sent', outboundIds: [outboundId] });

      const pointer = await db.doc(`${collectionPrefix}outbound/${encodeURIComponent(outboundId)}`).get();
      expect(pointer.data()).toMatchObject({ conversationId: message.conversationId, messageId: message.id });
      expect(pointer.get('expireAt')).toBeInstanceOf(Timestamp);
      expect(sent).not.toHaveProperty('expireAt');
      expect(sent).not.toHaveProperty('receivedAt');
    });
  });

  describe('handoffs and agent replies', () => {
    it('keeps the handoff in a document of its own and the agent replies beside the messages, each with an expireAt timestamp', async () => {
      const { store, collectionPrefix } = aStore();
      const message = aMessage();
      await store.register(message, Date.now());

      await store.replaceHandoff(message.conversationId, 0, { mode: 'human', agent: 'Grace', since: 1 });
      await store.addAgentReply(newAgentReply({ id: 'ar_1', conversationId: message.conversationId, inReplyTo: message.id, agent: 'Grace', text: 'hi', createdAt: 2 }));

      const handoff = await db.doc(`${collectionPrefix}handoffs/${message.conversationId}`).get();
      expect(handoff.data()).toMatchObject({ mode: 'human', agent: 'Grace', since: 1, version: 1, conversationId: message.conversationId });
      expect(handoff.get('expireAt')).toBeInstanceOf(Timestamp);
      const conversation = await db.doc(`${collectionPrefix}conversations/${message.conversationId}`).get();
      expect(conversation.get('mode')).toBeUndefined();
      const reply = await db.doc(`${collectionPrefix}conversations/${message.conversationId}/agentReplies/ar_1`).get();
      expect(reply.get('expireAt')).toBeInstanceOf(Timestamp);
    });

    it('moves a claimed message on from the version the claim wrote, and refuses the version before it', async () => {
      const { store } = aStore();
      const message = aMessage();
      const { record } = await store.register(message, Date.now());

      const claimed = await store.claim(message.conversationId, message.id, record.version, { bot: { state: 'generating' }, human: { state: 'skipped', note: 'human_mode' } });
      expect(await store.transition(message.conversationId, message.id, record.version, { state: 'failed' })).toBeNull();
      const answered = await store.transition(message.conversationId, message.id, claimed!.record.version, { state: 'answered' });

      expect(answered).toMatchObject({ state: 'answered', version: record.version + 2 });
      expect(await store.findMessage(message.conversationId, message.id)).toEqual(answered);
    });
  });

  describe('transitions from the version this process wrote', () => {
    /** A client of its own whose document reads (batchGetDocuments, how `get()` travels) are counted. */
    function aCountingClient() {
      const counted = createFirestore(inject('emulatorProject'), { emulatorHost: inject('firestoreEmulatorHost') });
      const funnel = counted as unknown as { requestStream(method: string, ...rest: unknown[]): Promise<unknown> };
      const requestStream = funnel.requestStream.bind(counted);
      const reads = { count: 0, answered: 0 };
      funnel.requestStream = (method, ...rest) => {
        const stream = requestStream(method, ...rest);
        if (method !== 'batchGetDocuments') return stream;
        reads.count += 1;
        void stream.then((s) => (s as NodeJS.ReadableStream).once('end', () => (reads.answered += 1)), () => undefined);
        return stream;
      };
      return { client: counted, reads };
    }

    it('writes each transition in one round trip, without reading the message first, after its own register and transitions', async () => {
      const { client, reads } = aCountingClient();
      try {
        const store = new FirestoreChatStore(client, { collectionPrefix: `${filePrefix}${++stores}_` });
        const message = aMessage();
        const { record } = await store.register(message, Date.now());
        const before = reads.count;

        const generating = await store.transition(message.conversationId, message.id, record.version, { state: 'generating', attempts: 1 });
        const answered = await store.transition(message.conversationId, message.id, generating!.version, { state: 'answered', note: 'rate_limited' });
        const sending = await store.transition(message.conversationId, message.id, answered!.version, { state: 'sending', note: undefined });

        expect(reads.count - before).toBe(0);
        expect(sending).toMatchObject({ state: 'sending', attempts: 1, version: record.version + 3 });
        expect(sending).not.toHaveProperty('note');
        expect(await store.findMessage(message.conversationId, message.id)).toEqual(sending);
      } finally {
        await client.terminate();
      }
    });

    it('reads the message it claimed beside the caller\'s work, so the transition after a claim writes without reading first', async () => {
      const { client, reads } = aCountingClient();
      try {
        const store = new FirestoreChatStore(client, { collectionPrefix: `${filePrefix}${++stores}_` });
        const message = aMessage();
        const { record } = await store.register(message, Date.now());
        const [before, answeredBefore] = [reads.count, reads.answered];
        const claimed = await store.claim(message.conversationId, message.id, record.version, { bot: { state: 'generating' }, human: { state: 'skipped', note: 'human_mode' } });
        // The transaction's read, then the one made beside (as while the model answers), answered.
        await vi.waitFor(() => expect(reads.answered - answeredBefore).toBe(2));

        const answered = await store.transition(message.conversationId, message.id, claimed!.record.version, { state: 'answered', note: 'rate_limited' });

        expect(reads.count - before).toBe(2);
        expect(answered).toMatchObject({ state: 'answered', note: 'rate_limited', version: record.version + 2 });
        expect(await store.findMessage(message.conversationId, message.id)).toEqual(answered);
      } finally {
        await client.terminate();
      }
    });

    it('refuses a transition from a version another process has moved on from, though this process wrote that version', async () => {
      const { store: mine, collectionPrefix } = aStore();
      const theirs = new FirestoreChatStore(db, { collectionPrefix });
      const message = aMessage();
      const { record } = await mine.register(message, Date.now());
      const generating = await mine.transition(message.conversationId, message.id, record.version, { state: 'generating', attempts: 1 });

      const moved = await theirs.transition(message.conversationId, message.id, generating!.version, { state: 'answered', note: 'spend_capped' });
      expect(moved).toMatchObject({ state: 'answered', version: generating!.version + 1 });

      expect(await mine.transition(message.conversationId, message.id, generating!.version, { state: 'failed', note: 'erased' })).toBeNull();
      expect(await mine.findMessage(message.conversationId, message.id)).toEqual(moved);
      // From the version the other process wrote, it goes through (read first) and is the new base.
      const sending = await mine.transition(message.conversationId, message.id, moved!.version, { state: 'sending' });
      expect(sending).toMatchObject({ state: 'sending', note: 'spend_capped', version: moved!.version + 1 });
      expect(await theirs.findMessage(message.conversationId, message.id)).toEqual(sending);
    });

    it('refuses a transition after a delivery status moved the message on, though this process wrote the version before', async () => {
      const { store: mine, collectionPrefix } = aStore();
      const theirs = new FirestoreChatStore(db, { collectionPrefix });
      const message = aMessage();
      const outboundId = `wamid.out/${randomUUID()}`;
      const { record } = await mine.register(message, Date.now());
      const sent = await mine.transition(message.conversationId, message.id, record.version, { state: 'sent', outboundIds: [outboundId] });

      expect(await theirs.applyStatus(aStatus(message, outboundId, 'delivered'))).toBe('applied');
      const delivered = await theirs.findMessage(message.conversationId, message.id);
      expect(delivered!.version).toBe(sent!.version + 1);

      expect(await mine.transition(message.conversationId, message.id, sent!.version, { recorded: true })).toBeNull();
      expect(await mine.findMessage(message.conversationId, message.id)).toEqual(delivered);
    });
  });

  describe('errors', () => {
    it('becomes a retryable ChatStoreUnavailableError when the SDK reports a transient gRPC code', () => {
      for (const code of [4, 8, 10, 14]) {
        const error = (() => {
          try {
            translateError('read', Object.assign(new Error('grpc'), { code }));
          } catch (caught) {
            return caught;
          }
        })();
        expect(error).toBeInstanceOf(ChatStoreUnavailableError);
        expect(error).toMatchObject({ code: 'chat_store_unavailable', retryable: true });
      }
    });

    it('becomes a non-retryable ChatStoreRejectedError when the SDK reports INVALID_ARGUMENT', () => {
      const invalid = Object.assign(new Error('3 INVALID_ARGUMENT: bad id'), { code: 3 });

      const error = (() => {
        try {
          translateError('register', invalid);
        } catch (caught) {
          return caught;
        }
      })();

      expect(error).toBeInstanceOf(ChatStoreRejectedError);
      expect(error).toMatchObject({ code: 'chat_store_rejected', retryable: false, cause: invalid });
      expect(isRetryable(error)).toBe(false);
    });

    it('rejects with a non-retryable error and stores nothing when Firestore refuses a message id over its 1,500-byte limit', async () => {
      const { store, collectionPrefix } = aStore();
      const message = aMessage({ id: `msg_${'x'.repeat(1_600)}` });

      const error: unknown = await store.register(message, Date.now()).then(
        () => undefined,
        (caught: unknown) => caught,
      );

      expect(error).toMatchObject({ code: 'chat_store_rejected', retryable: false });
      expect(isRetryable(error)).toBe(false);
      expect((await db.doc(`${collectionPrefix}conversations/${message.conversationId}`).get()).exists).toBe(false);
    });

    it('is rethrown unchanged when the SDK reports a permanent gRPC code', () => {
      const permanent = Object.assign(new Error('denied'), { code: 7 });
      expect(() => translateError('read', permanent)).toThrow(permanent);
    });
  });
});
