import { afterAll, beforeAll, describe } from 'vitest';
import type { Database } from '../../src/adapters/postgres/database.js';
import { PostgresDeadLetterStore } from '../../src/adapters/postgres/postgres-dead-letter-store.js';
import { aFreshDatabase, DATABASE_KINDS } from '../support/databases.js';
import { deadLetterStoreContract } from './dead-letter-store.contract.js';

for (const kind of DATABASE_KINDS) {
  describe(`on ${kind}`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await aFreshDatabase(kind);
    });
    afterAll(async () => {
      await db?.close();
    });

    deadLetterStoreContract('PostgresDeadLetterStore', async () => new PostgresDeadLetterStore(db.orm));
  });
}
