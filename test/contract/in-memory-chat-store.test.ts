import { InMemoryChatStore } from '../../src/adapters/memory/in-memory-chat-store.js';
import { chatStoreContract } from './chat-store.contract.js';

chatStoreContract('InMemoryChatStore', async () => ({ store: new InMemoryChatStore() }));
