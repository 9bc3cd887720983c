import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createFirestore, FirestoreChatStore } from '../../src/adapters/firestore/firestore-chat-store.js';
import { buildTurns } from '../../src/domain/use-cases/build-turns.js';
import { aMessage } from '../support/builders.js';

const db = createFirestore(inject('emulatorProject'), { emulatorHost: inject('firestoreEmulatorHost') });
afterAll(() => db.terminate());

const collectionPrefix = `t_${randomUUID().slice(0, 8)}_`;
const store = new FirestoreChatStore(db, { collectionPrefix });

/** Registers a message, then rewrites its document as a version before issue 13 stored it. */
async function storedByAnOlderVersion(fields: Record<string, unknown>, text = 'hello') {
  const message = aMessage({ text, conversationId: `c_${randomUUID()}` });
  await store.register(message, message.receivedAt);
  await db.doc(`${collectionPrefix}conversations/${message.conversationId}/messages/${encodeURIComponent(message.id)}`).update(fields);
  return message;
}

describe('FirestoreChatStore reading records an older version stored', () => {
  it('reads a folded-into:<id> note as note folded with foldedInto, and leaves the folded message out of the history', async () => {
    const message = await storedByAnOlderVersion({ state: 'skipped', note: 'folded-into:wamid.first' }, 'and one more thing');

    const record = await store.findMessage(message.conversationId, message.id);

    expect(record).toMatchObject({ state: 'skipped', note: 'folded', foldedInto: 'wamid.first' });
    expect(buildTurns(await store.messages(message.conversationId, { limit: 10 }), 'next')).toEqual([{ role: 'user', content: 'next' }]);
  });

  it('reads a template-fallback:<name> note as templateFallback and a kebab-case failure reason in snake_case', async () => {
    const message = await storedByAnOlderVersion({ state: 'sent', note: 'template-fallback:reengage_hello', failure: { stage: 'send', reason: 'outside-service-window' } });

    const record = await store.findMessage(message.conversationId, message.id);

    expect(record).toMatchObject({ state: 'sent', templateFallback: 'reengage_hello', failure: { stage: 'send', reason: 'outside_service_window' } });
    expect(record).not.toHaveProperty('note');
  });

  it('reads an unsent note with its operator hint as the bare reason, and keeps reading it so after a later write', async () => {
    const message = await storedByAnOlderVersion({ state: 'unsent', note: 'whatsapp-sending-not-configured (set WHATSAPP_ACCESS_TOKEN)' });
    const before = await store.findMessage(message.conversationId, message.id);

    const after = await store.transition(message.conversationId, message.id, before!.version, { recorded: true, updatedAt: message.receivedAt + 1 });

    expect(before).toMatchObject({ state: 'unsent', note: 'whatsapp_sending_not_configured' });
    expect(after).toMatchObject({ state: 'unsent', note: 'whatsapp_sending_not_configured', recorded: true });
    expect(await store.findMessage(message.conversationId, message.id)).toMatchObject({ note: 'whatsapp_sending_not_configured', recorded: true });
  });
});
