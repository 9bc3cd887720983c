import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { createFirestore, FirestoreChatStore } from '../../src/adapters/firestore/firestore-chat-store.js';
import { PostgresAdminDirectory } from '../../src/adapters/postgres/postgres-admin-directory.js';
import { PostgresAnalyticsStore } from '../../src/adapters/postgres/postgres-analytics-store.js';
import { PostgresApiKeyStore } from '../../src/adapters/postgres/postgres-api-key-store.js';
import { Child } from './child-process.js';
import { aFreshDatabase } from './databases.js';
import { aFreePort } from './ports.js';

export interface AdminServer {
  /** `http://127.0.0.1:<port>`; the dashboard is at `${baseUrl}/admin`. */
  baseUrl: string;
  email: string;
  password: string;
  /** The same database and Firestore project the process uses, opened by the test. */
  stores: {
    directory: PostgresAdminDirectory;
    apiKeys: PostgresApiKeyStore;
    analytics: PostgresAnalyticsStore;
    chat: FirestoreChatStore;
  };
  /** Rows of a table, for checks on what is stored. */
  rows(table: string): Promise<Record<string, unknown>[]>;
  /** Everything the process wrote to stdout and stderr. */
  logText(): string;
  stop(): Promise<void>;
}

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The api role as production runs it: `src/main.ts` with ROLE=api in a process of its own, on a
 * fresh PostgreSQL database, the Firestore emulator (a project of its own, so nothing else shares
 * its collections) and the first admin user from ADMIN_EMAIL/ADMIN_PASSWORD.
 */
export async function startAdminServer(): Promise<AdminServer> {
  const db = await aFreshDatabase('postgres');
  const project = `demo-admin-${randomUUID().slice(0, 8)}`;
  const firestoreHost = inject('firestoreEmulatorHost');
  const [email, password] = ['ada@example.org', `correct horse ${randomBytes(6).toString('hex')}`];
  const port = await aFreePort();
  const child = new Child(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts'],
    {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      METADATA_SERVER_DETECTION: 'none',
      ROLE: 'api',
      HOST: '127.0.0.1',
      PORT: String(port),
      PROJECT_ID: project,
      FIRESTORE_EMULATOR_HOST: firestoreHost,
      PUBSUB_EMULATOR_HOST: inject('pubsubEmulatorHost'),
      DATABASE_URL: db.url!,
      ADMIN_EMAIL: email,
      ADMIN_PASSWORD: password,
    },
    projectRoot,
  );
  const firestore = createFirestore(project, { emulatorHost: firestoreHost });
  const stop = async () => {
    await child.kill();
    await firestore.terminate();
    await db.close();
  };
  try {
    await child.waitForLine((line) => /"message":"VocoEng api ready on /.test(line), 30_000);
  } catch (error) {
    await stop();
    throw new Error(`the api role did not start: ${(error as Error).message}\n${child.stderr}`);
  }
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    email,
    password,
    stores: {
      directory: new PostgresAdminDirectory(db.orm),
      apiKeys: new PostgresApiKeyStore(db.orm),
      analytics: new PostgresAnalyticsStore(db.orm),
      chat: new FirestoreChatStore(firestore),
    },
    rows: (table) => db.orm.em.fork().getConnection().execute(`select * from ${table}`),
    logText: () => `${child.stdout}\n${child.stderr}`,
    stop,
  };
}
