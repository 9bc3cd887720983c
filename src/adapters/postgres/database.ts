import { MikroORM, RequestContext, type EntityManager } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities.js';
import { M001InitialSchema } from './migrations/m001-initial-schema.js';
import { M002ErasedUser } from './migrations/m002-erased-user.js';
import { M003DeadLetter } from './migrations/m003-dead-letter.js';
import { M004LoginThrottle } from './migrations/m004-login-throttle.js';
import { M005DeliveryFailureReason } from './migrations/m005-delivery-failure-reason.js';
import { M006ChatStore } from './migrations/m006-chat-store.js';
import { M007MessageOutbox } from './migrations/m007-message-outbox.js';
import { M008ConversationList } from './migrations/m008-conversation-list.js';
import { M009WhatsAppCharges } from './migrations/m009-whatsapp-charges.js';
import { M010ConversationTokens } from './migrations/m010-conversation-tokens.js';
import { M011ConversationParticipant } from './migrations/m011-conversation-participant.js';
import { M012ConversationMode } from './migrations/m012-conversation-mode.js';
import { M013ConversationSearch } from './migrations/m013-conversation-search.js';
import { M014ChatHandoff } from './migrations/m014-chat-handoff.js';
import { M015AgentReply } from './migrations/m015-agent-reply.js';
import { M016ToolCall } from './migrations/m016-tool-call.js';
import { preparesStatements } from './prepared-statements.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './pglite-server.js';
import { describeDatabase, parseDatabaseUrl } from './database-url.js';

const POOL_SIZE = 8;
/** pg_advisory_xact_lock key that serialises migrations between instances ("VocoMigr"). */
const MIGRATION_LOCK_KEY = 0x566f636f4d696772n.toString();

export const MIGRATIONS = [
  { name: 'M001InitialSchema', class: M001InitialSchema },
  { name: 'M002ErasedUser', class: M002ErasedUser },
  { name: 'M003DeadLetter', class: M003DeadLetter },
  { name: 'M004LoginThrottle', class: M004LoginThrottle },
  { name: 'M005DeliveryFailureReason', class: M005DeliveryFailureReason },
  { name: 'M006ChatStore', class: M006ChatStore },
  { name: 'M007MessageOutbox', class: M007MessageOutbox },
  { name: 'M008ConversationList', class: M008ConversationList },
  { name: 'M009WhatsAppCharges', class: M009WhatsAppCharges },
  { name: 'M010ConversationTokens', class: M010ConversationTokens },
  { name: 'M011ConversationParticipant', class: M011ConversationParticipant },
  { name: 'M012ConversationMode', class: M012ConversationMode },
  { name: 'M013ConversationSearch', class: M013ConversationSearch },
  { name: 'M014ChatHandoff', class: M014ChatHandoff },
  { name: 'M015AgentReply', class: M015AgentReply },
  { name: 'M016ToolCall', class: M016ToolCall },
];

export class DatabaseUnavailableError extends Error {
  readonly code = 'database-unavailable';
  readonly retryable = true;
  constructor(where: string, cause: unknown) {
    super(`PostgreSQL at ${where} is not reachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

export interface Database {
  orm: MikroORM;
  /** Where it runs, without credentials: `postgres://host:port/db` or `pglite:<dir>`. */
  describe: string;
  close(): Promise<void>;
}

export type DatabaseLocation = { url: string } | { embeddedDir: string | undefined };

/**
 * Opens PostgreSQL (a real server by URL, or embedded PGlite), proves the connection with a query
 * and applies pending migrations. A configured server that cannot be reached is an error.
 */
export async function openDatabase(location: DatabaseLocation, options: { migrate?: boolean; log?: (message: string) => void } = {}): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url: string;
  let describe: string;
  if ('url' in location) {
    url = location.url;
  } else {
    embedded = await startEmbeddedPostgres({ ...(location.embeddedDir ? { dataDir: location.embeddedDir } : {}), maxConnections: POOL_SIZE + 2 });
    url = embedded.url;
  }
  // Parsed here, not by MikroORM: it reads only host and port from the URL, so the Unix-socket
  // form (`postgresql://user:pw@/db?host=/cloudsql/…`) would connect to localhost or not parse.
  const address = parseDatabaseUrl(url);
  if (!address) throw new Error('DATABASE_URL is not a postgres:// URL with a host or a ?host=/socket/dir');
  describe = 'url' in location ? describeDatabase(address) : `pglite:${location.embeddedDir ?? 'memory'}`;
  const orm = new MikroORM({
    host: address.host,
    port: address.port,
    user: address.user,
    ...(address.password ? { password: address.password } : {}),
    dbName: address.database,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    logger: options.log ?? (() => undefined),
    pool: { min: 0, max: POOL_SIZE },
    allowGlobalContext: false,
    debug: false,
  });
  const abandon = async () => {
    await orm.close(true).catch(() => undefined);
    await embedded?.stop();
  };
  try {
    await orm.em.fork().getConnection().execute('select 1');
  } catch (error) {
    await abandon();
    throw new DatabaseUnavailableError(describe, error);
  }
  // PGlite's one session serves every connection: its hot statements are prepared once.
  if (embedded) preparesStatements(orm.em.getConnection());
  if (options.migrate !== false) {
    try {
      const applied = embedded ? await orm.migrator.up() : await migrateUnderLock(orm);
      for (const migration of applied) options.log?.(`migration applied: ${migration.name}`);
    } catch (error) {
      await abandon();
      throw new Error(`Migrating ${describe} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return {
    orm,
    describe,
    async close() {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}

/**
 * Cloud Run starts several api instances at once against one database: each migrates while holding
 * a transaction-scoped advisory lock on a connection of its own, so one applies the migrations and
 * the others then find none pending. The lock ends with its transaction, even if the process dies.
 * (Embedded PGlite serves one process only, and its single session cannot hold a lock beside the migration.)
 */
async function migrateUnderLock(orm: MikroORM) {
  const connection = orm.em.getConnection();
  return connection.transactional(async (lock) => {
    await connection.execute(`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`, [], 'all', lock);
    return orm.migrator.up();
  });
}

/** The request's entity manager, or a fresh fork outside a request (CLI, in-process ingestion). */
export function entityManager(orm: MikroORM): EntityManager {
  return (RequestContext.getEntityManager(orm.em.name) as EntityManager | undefined) ?? orm.em.fork();
}

/** Runs `work` in a MikroORM RequestContext of its own: one identity map per request or message. */
export function requestScopeOf(database: Database): <T>(work: () => Promise<T>) => Promise<T> {
  return (work) => RequestContext.create(database.orm.em, work);
}
