import type { Database } from '../adapters/postgres/database.js';
import type { Config } from '../config/config.js';
import { TOKENS } from './tokens.js';
import type { Providers } from './wiring.js';

/**
 * The api's own stores: in its database (PostgreSQL or embedded PGlite, opened and migrated
 * before the role is built) when there is one, else in memory (tests that build it without one).
 * Dead letters live beside the analytics. MikroORM is loaded only with a database.
 */
export async function apiStoreProviders(config: Config, database: Database | undefined): Promise<Providers> {
  const { StoredApiKeyVerifier } = await import('../http/auth/api-keys.js');
  const verifier: Providers = {
    [TOKENS.ApiKeyVerifier]: (resolve) => new StoredApiKeyVerifier(resolve(TOKENS.ApiKeyStore), resolve(TOKENS.Clock), config.BOOTSTRAP_API_KEY),
  };
  if (database) {
    const [{ PostgresAnalyticsStore }, { PostgresApiKeyStore }, { PostgresAdminDirectory }, { PostgresDeadLetterStore }] = await Promise.all([
      import('../adapters/postgres/postgres-analytics-store.js'),
      import('../adapters/postgres/postgres-api-key-store.js'),
      import('../adapters/postgres/postgres-admin-directory.js'),
      import('../adapters/postgres/postgres-dead-letter-store.js'),
    ]);
    return {
      ...verifier,
      [TOKENS.Database]: () => database,
      [TOKENS.AnalyticsStore]: () => new PostgresAnalyticsStore(database.orm),
      [TOKENS.ApiKeyStore]: () => new PostgresApiKeyStore(database.orm),
      [TOKENS.AdminDirectory]: () => new PostgresAdminDirectory(database.orm),
      [TOKENS.DeadLetterStore]: () => new PostgresDeadLetterStore(database.orm),
    };
  }
  const [{ InMemoryAnalyticsStore }, { InMemoryApiKeyStore }, { InMemoryAdminDirectory }, { InMemoryDeadLetterStore }] = await Promise.all([
    import('../adapters/memory/in-memory-analytics-store.js'),
    import('../adapters/memory/in-memory-api-key-store.js'),
    import('../adapters/memory/in-memory-admin-directory.js'),
    import('../adapters/memory/in-memory-dead-letter-store.js'),
  ]);
  return {
    ...verifier,
    [TOKENS.AnalyticsStore]: () => new InMemoryAnalyticsStore(),
    [TOKENS.ApiKeyStore]: () => new InMemoryApiKeyStore(),
    [TOKENS.AdminDirectory]: () => new InMemoryAdminDirectory(),
    [TOKENS.DeadLetterStore]: () => new InMemoryDeadLetterStore(),
  };
}
