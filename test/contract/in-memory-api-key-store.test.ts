import { InMemoryApiKeyStore } from '../../src/adapters/memory/in-memory-api-key-store.js';
import { apiKeyStoreContract } from './api-key-store.contract.js';

apiKeyStoreContract('InMemoryApiKeyStore', async () => {
  const store = new InMemoryApiKeyStore();
  // The fake keeps the same shape as the table: what a read of its state could reveal.
  return { store, dump: async () => JSON.stringify(store, (_key, value: unknown) => (value instanceof Map ? [...value] : value)) };
});
