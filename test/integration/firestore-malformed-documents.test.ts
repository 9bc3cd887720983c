import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createFirestore, FirestoreChatStore } from '../../src/adapters/firestore/firestore-chat-store.js';
import { MalformedDocumentError } from '../../src/adapters/firestore/firestore-schemas.js';
import { isRetryable } from '../../src/domain/model/errors.js';
import { aMessage } from '../support/builders.js';

// Documents written behind the store's back (by hand, by another version) that do not have the
// shape it writes: every read decodes them, and a bad one is named, never guessed at.

const db = createFirestore(inject('emulatorProject'), { emulatorHost: inject('firestoreEmulatorHost') });
afterAll(() => db.terminate());

function aStore() {
  const prefix = `t_${randomUUID().slice(0, 8)}_`;
  return { store: new FirestoreChatStore(db, { collectionPrefix: prefix }), prefix };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('FirestoreChatStore with malformed documents', () => {
  it('rejects a read of a message whose state is not a state, naming the document and the field but none of its values', async () => {
    const { store, prefix } = aStore();
    const message = aMessage({ text: `private words ${randomUUID()}` });
    const { record } = await store.register(message, Date.now());
    const path = `${prefix}conversations/${message.conversationId}/messages/${encodeURIComponent(message.id)}`;
    await db.doc(path).update({ state: 42 });

    const error = await rejectionOf(store.findMessage(message.conversationId, message.id));

    expect(error).toBeInstanceOf(MalformedDocumentError);
    expect(error).toMatchObject({ documentPath: path, field: 'state', code: 'chat_store_rejected', retryable: false });
    expect(isRetryable(error)).toBe(false);
    const text = (error as Error).message;
    expect(text).toContain(path);
    expect(text).toContain('state');
    expect(text).not.toContain(message.participant.id);
    expect(text).not.toContain('private words');
    // The compare-and-set reads the same document: it refuses too instead of writing over it.
    await expect(store.transition(message.conversationId, message.id, record.version, { state: 'generating' })).rejects.toBeInstanceOf(MalformedDocumentError);
    await expect(store.messages(message.conversationId, { limit: 5 })).rejects.toMatchObject({ documentPath: path, field: 'state' });
  });

  it('names the nested field when a message document lacks part of its inbound message', async () => {
    const { store, prefix } = aStore();
    const message = aMessage();
    await store.register(message, Date.now());
    const path = `${prefix}conversations/${message.conversationId}/messages/${encodeURIComponent(message.id)}`;
    await db.doc(path).update({ 'message.content.type': 'hologram' });

    await expect(store.register(message, Date.now())).rejects.toMatchObject({ documentPath: path, field: 'message.content.type' });
  });

  it('names the field of a conversation, a channel settings document, a spend day and an outbound pointer that have the wrong type', async () => {
    const { store, prefix } = aStore();
    const message = aMessage();
    await store.register(message, Date.now());
    const conversationPath = `${prefix}conversations/${message.conversationId}`;
    await db.doc(conversationPath).update({ messageCount: 'many' });
    const accountId = `acct-${randomUUID()}`;
    await db.doc(`${prefix}channels/${accountId}`).set({ accountId, temperature: 'hot', updatedAt: 1 });
    await db.doc(`${prefix}channels/${accountId}/spend/2026-11-25`).set({ usd: 'a lot' });
    const outboundId = `out-${randomUUID()}`;
    await db.doc(`${prefix}outbound/${outboundId}`).set({ conversationId: message.conversationId });

    await expect(store.getConversation(message.conversationId)).rejects.toMatchObject({ documentPath: conversationPath, field: 'messageCount' });
    await expect(store.channelSettings(accountId)).rejects.toMatchObject({ documentPath: `${prefix}channels/${accountId}`, field: 'temperature' });
    await expect(store.listChannelSettings()).rejects.toMatchObject({ field: 'temperature' });
    await expect(store.spendOf(accountId, '2026-11-25')).rejects.toMatchObject({ documentPath: `${prefix}channels/${accountId}/spend/2026-11-25`, field: 'usd' });
    await expect(store.findByOutboundId(outboundId)).rejects.toMatchObject({ documentPath: `${prefix}outbound/${outboundId}`, field: 'messageId' });
  });

  it('still erases a conversation whose message document is malformed', async () => {
    const { store, prefix } = aStore();
    const message = aMessage();
    await store.register(message, Date.now());
    await db.doc(`${prefix}conversations/${message.conversationId}/messages/${encodeURIComponent(message.id)}`).update({ outboundIds: 'not a list', version: 'x' });

    expect(await store.eraseConversation(message.conversationId)).toEqual({ messages: 1 });

    expect(await store.getConversation(message.conversationId)).toBeNull();
    expect(await store.findMessage(message.conversationId, message.id)).toBeNull();
  });
});
