import { PostgresApiKeyStore } from '../../src/adapters/postgres/postgres-api-key-store.js';
import { onEachDatabase } from '../support/databases.js';
import { apiKeyStoreContract } from './api-key-store.contract.js';

onEachDatabase((database) => {
  apiKeyStoreContract('PostgresApiKeyStore', async () => ({
    store: new PostgresApiKeyStore(database().orm),
    dump: async () => {
      const rows = await database().orm.em.fork().getConnection().execute<Record<string, unknown>[]>('select * from api_key');
      return JSON.stringify(rows, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('base64') : value));
    },
  }));
});
