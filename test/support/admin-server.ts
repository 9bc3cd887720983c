import { randomBytes, randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createFirestore, FirestoreChatStore } from '../../src/adapters/firestore/firestore-chat-store.js';
import { PostgresAdminDirectory } from '../../src/adapters/postgres/postgres-admin-directory.js';
import { PostgresAnalyticsStore } from '../../src/adapters/postgres/postgres-analytics-store.js';
import { PostgresApiKeyStore } from '../../src/adapters/postgres/postgres-api-key-store.js';
import { aFreshDatabase } from './databases.js';
import { startRoleProcess, type RoleProcess } from './role-process.js';

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
  const firestore = createFirestore(project, { emulatorHost: firestoreHost });
  let role: RoleProcess;
  try {
    role = await startRoleProcess({ ROLE: 'api', PROJECT_ID: project, DATABASE_URL: db.url!, ADMIN_EMAIL: email, ADMIN_PASSWORD: password });
  } catch (error) {
    await firestore.terminate();
    await db.close();
    throw new Error(`the api role did not start: ${(error as Error).message}`);
  }
  const stop = async () => {
    await role.child.kill();
    await firestore.terminate();
    await db.close();
  };
  return {
    baseUrl: role.baseUrl,
    email,
    password,
    stores: {
      directory: new PostgresAdminDirectory(db.orm),
      apiKeys: new PostgresApiKeyStore(db.orm),
      analytics: new PostgresAnalyticsStore(db.orm),
      chat: new FirestoreChatStore(firestore),
    },
    rows: (table) => db.orm.em.fork().getConnection().execute(`select * from ${table}`),
    logText: () => `${role.child.stdout}\n${role.child.stderr}`,
    stop,
  };
}
