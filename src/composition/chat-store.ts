import type { Database } from '../adapters/postgres/database.js';
import type { Config } from '../config/config.js';
import { TOKENS } from './tokens.js';
import type { Providers } from './wiring.js';

/**
 * The chat store of the worker and the api, imported only when chosen: Firestore with PROJECT_ID;
 * without it (ROLE=all) the role's own database (PGlite under DATA_DIR, or DATABASE_URL), so
 * transcripts, history and claims survive a restart; in memory only when built without a
 * database (tests). The PostgreSQL store has no TTL: it is also the transcripts' expiry.
 */
export async function chatStoreProviders(config: Config, database?: Database): Promise<Providers> {
  if (config.PROJECT_ID) {
    const { createFirestore, FirestoreChatStore } = await import('../adapters/firestore/firestore-chat-store.js');
    const projectId = config.FIRESTORE_PROJECT ?? config.PROJECT_ID;
    return { [TOKENS.ChatStore]: () => new FirestoreChatStore(createFirestore(projectId), { retentionDays: config.CHAT_RETENTION_DAYS }) };
  }
  if (database) {
    const { PostgresChatStore } = await import('../adapters/postgres/postgres-chat-store.js');
    let store: InstanceType<typeof PostgresChatStore> | undefined;
    const theStore = () => (store ??= new PostgresChatStore(database.orm, { retentionDays: config.CHAT_RETENTION_DAYS }));
    return { [TOKENS.ChatStore]: theStore, [TOKENS.TranscriptExpiry]: theStore };
  }
  const { InMemoryChatStore } = await import('../adapters/memory/in-memory-chat-store.js');
  return { [TOKENS.ChatStore]: () => new InMemoryChatStore() };
}
