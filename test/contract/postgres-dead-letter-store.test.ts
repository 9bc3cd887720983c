import { PostgresDeadLetterStore } from '../../src/adapters/postgres/postgres-dead-letter-store.js';
import { onEachDatabase } from '../support/databases.js';
import { deadLetterStoreContract } from './dead-letter-store.contract.js';

onEachDatabase((database) => {
  deadLetterStoreContract('PostgresDeadLetterStore', async () => new PostgresDeadLetterStore(database().orm));
});
