import { InMemoryChatStore } from '../../src/adapters/memory/in-memory-chat-store.js';
import { chatStoreContracts } from './chat-store.contracts.js';

chatStoreContracts('InMemoryChatStore', async () => ({ store: new InMemoryChatStore() }));
