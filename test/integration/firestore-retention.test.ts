import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { Timestamp, type DocumentReference } from '@google-cloud/firestore';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { createFirestore, FirestoreChatStore } from '../../src/adapters/firestore/firestore-chat-store.js';
import { buildRole } from '../../src/composition/role.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { aMessage } from '../support/builders.js';

const DAY_MS = 86_400_000;
const project = inject('emulatorProject');
const db = createFirestore(project, { emulatorHost: inject('firestoreEmulatorHost') });
afterAll(() => db.terminate());

interface IndexFile {
  fieldOverrides: { collectionGroup: string; fieldPath: string; ttl?: boolean }[];
}
const indexFile = JSON.parse(readFileSync(new URL('../../firestore.indexes.json', import.meta.url), 'utf8')) as IndexFile;

/** Every document under the given collections, however deep, with its collection group. */
async function allDocuments(roots: { path: string; group: string }[]): Promise<{ group: string; ref: DocumentReference; data: Record<string, unknown> }[]> {
  const found: { group: string; ref: DocumentReference; data: Record<string, unknown> }[] = [];
  const walk = async (collection: FirebaseFirestore.CollectionReference, group: string): Promise<void> => {
    for (const ref of await collection.listDocuments()) {
      const snapshot = await ref.get();
      if (snapshot.exists) found.push({ group, ref, data: snapshot.data()! });
      for (const sub of await ref.listCollections()) await walk(sub, sub.id);
    }
  };
  for (const root of roots) await walk(db.collection(root.path), root.group);
  return found;
}

describe('Firestore retention (CHAT_RETENTION_DAYS and the TTL policies)', () => {
  it('stamps expireAt CHAT_RETENTION_DAYS after the write when the role builds its chat store from the configuration', async () => {
    vi.stubEnv('FIRESTORE_EMULATOR_HOST', inject('firestoreEmulatorHost'));
    try {
      const config = loadConfig({ ROLE: 'worker', PROJECT_ID: project, AI_PROVIDER: 'scripted', PUSH_AUTH: 'none', CHAT_RETENTION_DAYS: '7' });
      const runtime = await buildRole(config, { logger: createLogger({ level: 'error', stream: new PassThrough() }) });
      const store = runtime.container.get(TOKENS.ChatStore);
      const message = aMessage({ id: `wamid.retention-${randomUUID()}` });
      const before = Date.now();

      await store.register(message, before);
      const stored = await db.doc(`conversations/${encodeURIComponent(message.conversationId)}/messages/${encodeURIComponent(message.id)}`).get();
      await runtime.stop();

      const expireAt = stored.get('expireAt') as Timestamp;
      expect(expireAt).toBeInstanceOf(Timestamp);
      expect(expireAt.toMillis()).toBeGreaterThanOrEqual(before + 7 * DAY_MS);
      expect(expireAt.toMillis()).toBeLessThan(before + 8 * DAY_MS);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('has a TTL policy on expireAt for every collection group the chat store writes expireAt in', async () => {
    const prefix = `t_${randomUUID().slice(0, 8)}_`;
    const store = new FirestoreChatStore(db, { collectionPrefix: prefix, retentionDays: 30 });
    const message = aMessage({ id: `wamid.ttl-${randomUUID()}` });
    const { record } = await store.register(message, Date.now());
    const generating = await store.transition(message.conversationId, message.id, record.version, { state: 'generating' });
    await store.transition(message.conversationId, message.id, generating!.version, { state: 'sent', outboundIds: [`wamid.out-${randomUUID()}`] });
    const day = '2026-12-02';
    await store.reserveSpend(message.accountId, day, { key: 'r1', usd: 0.01, until: Date.now() + 60_000 }, 10, Date.now());
    await store.settleSpend(message.accountId, day, 'r1', 0.01);

    const documents = await allDocuments(['conversations', 'outbound', 'claims', 'channels'].map((name) => ({ path: `${prefix}${name}`, group: name })));
    const withExpiry = new Set(documents.filter((d) => 'expireAt' in d.data).map((d) => d.group));
    for (const d of documents.filter((doc) => 'expireAt' in doc.data)) expect(d.data['expireAt'], `${d.ref.path}.expireAt`).toBeInstanceOf(Timestamp);

    // The writes above reach every kind of document that expires.
    expect([...withExpiry].sort()).toEqual(['claims', 'conversations', 'messages', 'outbound', 'spend']);
    const ttl = indexFile.fieldOverrides.filter((o) => o.ttl === true);
    for (const group of withExpiry) expect(ttl, `TTL policy for ${group}`).toContainEqual(expect.objectContaining({ collectionGroup: group, fieldPath: 'expireAt' }));
    // Firestore allows one TTL field per collection group.
    expect(new Set(ttl.map((o) => o.collectionGroup)).size).toBe(ttl.length);
  });
});
