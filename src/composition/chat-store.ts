import type { Config } from '../config/config.js';
import { TOKENS } from './tokens.js';
import type { Providers } from './wiring.js';

/** The chat store of the worker and the api: Firestore with PROJECT_ID, else in memory; imported only when chosen. */
export async function chatStoreProviders(config: Config): Promise<Providers> {
  if (config.PROJECT_ID) {
    const { createFirestore, FirestoreChatStore } = await import('../adapters/firestore/firestore-chat-store.js');
    const projectId = config.FIRESTORE_PROJECT ?? config.PROJECT_ID;
    return { [TOKENS.ChatStore]: () => new FirestoreChatStore(createFirestore(projectId), { retentionDays: config.CHAT_RETENTION_DAYS }) };
  }
  const { InMemoryChatStore } = await import('../adapters/memory/in-memory-chat-store.js');
  return { [TOKENS.ChatStore]: () => new InMemoryChatStore() };
}
