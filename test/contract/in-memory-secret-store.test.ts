import { InMemorySecretStore } from '../../src/adapters/memory/in-memory-secret-store.js';
import { secretStoreContract } from './secret-store.contract.js';

secretStoreContract('InMemorySecretStore', async (secrets) => ({ store: new InMemorySecretStore(secrets) }));
