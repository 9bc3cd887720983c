import { InMemoryDeadLetterStore } from '../../src/adapters/memory/in-memory-dead-letter-store.js';
import { deadLetterStoreContract } from './dead-letter-store.contract.js';

const store = new InMemoryDeadLetterStore();
// One store for every case, like the database suites share their database.
deadLetterStoreContract('InMemoryDeadLetterStore', async () => store);
