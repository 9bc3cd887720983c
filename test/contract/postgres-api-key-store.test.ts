import { afterAll, beforeAll, describe } from 'vitest';
import type { Database } from '../../src/adapters/postgres/database.js';
import { PostgresApiKeyStore } from '../../src/adapters/postgres/postgres-api-key-store.js';
import { aFreshDatabase, DATABASE_KINDS } from '../support/databases.js';
import { apiKeyStoreContract } from './api-key-store.contract.js';

for (const kind of DATABASE_KINDS) {
  describe(`on ${kind}`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await aFreshDatabase(kind);
    });
    afterAll(async () => {
      await db?.close();
    });

    apiKeyStoreContract('PostgresApiKeyStore', async () => ({
      store: new PostgresApiKeyStore(db.orm),
      dump: async () => {
        const rows = await db.orm.em.fork().getConnection().execute<Record<string, unknown>[]>('select * from api_key');
        return JSON.stringify(rows, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('base64') : value));
      },
    }));
  });
}
