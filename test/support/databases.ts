import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { openDatabase, type Database } from '../../src/adapters/postgres/database.js';

export type DatabaseKind = 'postgres' | 'pglite';
export const DATABASE_KINDS: readonly DatabaseKind[] = ['postgres', 'pglite'];

/**
 * A migrated database of its own for one suite: a new database on the run's PostgreSQL server,
 * or a fresh in-memory PGlite served on loopback. `close()` drops what it created.
 */
export async function aFreshDatabase(kind: DatabaseKind): Promise<Database & { url?: string }> {
  if (kind === 'pglite') return openDatabase({ embeddedDir: undefined });
  const server = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  await withClient(server, (client) => client.query(`create database ${name}`));
  const url = server.replace(/\/[^/]*$/, `/${name}`);
  const db = await openDatabase({ url });
  return {
    ...db,
    url,
    async close() {
      await db.close();
      await withClient(server, (client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/** Runs one statement on the server's maintenance database (no migrations there). */
async function withClient(url: string, f: (client: { query(sql: string): Promise<unknown> }) => Promise<unknown>): Promise<void> {
  const admin = await openDatabase({ url }, { migrate: false });
  try {
    await f({ query: (sql) => admin.orm.em.fork().getConnection().execute(sql) });
  } finally {
    await admin.close();
  }
}

/**
 * One `describe` per database kind, each with a migrated database of its own for the whole block;
 * `database()` gives it to the block's tests and contract suites.
 */
export function onEachDatabase(body: (database: () => Database) => void): void {
  for (const kind of DATABASE_KINDS) {
    describe(`on ${kind}`, () => {
      let db: Database | undefined;
      beforeAll(async () => {
        db = await aFreshDatabase(kind);
      });
      afterAll(async () => {
        await db?.close();
      });
      body(() => {
        if (!db) throw new Error(`the ${kind} database is not open yet`);
        return db;
      });
    });
  }
}
