import { PostgresChatStore } from '../../src/adapters/postgres/postgres-chat-store.js';
import { onEachDatabase } from '../support/databases.js';
import { chatStoreContracts } from './chat-store.contracts.js';

onEachDatabase((database) => chatStoreContracts('PostgresChatStore', async () => ({ store: new PostgresChatStore(database().orm) })));
