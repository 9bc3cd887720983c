import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS, openDatabase, type Database } from '../../src/adapters/postgres/database.js';

// The api on Cloud Run reaches Cloud SQL on the Unix socket Cloud Run mounts under /cloudsql/, and
// several instances start (and migrate) at once. Both against the run's real PostgreSQL.
const serverUrl = inject('postgresUrl');
const socketDir = inject('postgresSocketDir');
const port = inject('postgresPort');
const created: string[] = [];

async function onMaintenance<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const admin = await openDatabase({ url: serverUrl }, { migrate: false });
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}

async function aFreshDatabaseName(): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await onMaintenance((admin) => admin.orm.em.fork().getConnection().execute(`create database ${name}`));
  created.push(name);
  return name;
}

afterAll(async () => {
  await onMaintenance(async (admin) => {
    for (const name of created) await admin.orm.em.fork().getConnection().execute(`drop database if exists ${name} with (force)`);
  });
});

const appliedIn = async (db: Database) =>
  (await db.orm.em.fork().getConnection().execute<Array<{ name: string }>>('select name from mikro_orm_migrations order by id')).map((row) => row.name);

describe('PostgreSQL as deployed', () => {
  it('migrates and queries through the Unix-socket form of DATABASE_URL (postgres://user@/db?host=/socket/dir), as on Cloud SQL', async () => {
    expect(socketDir, 'the run must use the local cluster, whose socket directory is known').not.toBe('');
    const name = await aFreshDatabaseName();
    // The port names the socket file (.s.PGSQL.<port>); Cloud SQL's is the default 5432.
    const url = `postgresql://postgres@/${name}?host=${socketDir}&port=${port}`;

    const db = await openDatabase({ url });
    try {
      expect(await appliedIn(db)).toEqual(MIGRATIONS.map((m) => m.name));
      const [row] = await db.orm.em.fork().getConnection().execute<Array<{ socket: boolean }>>('select inet_server_addr() is null as socket');
      // No server address: the session came over the Unix socket, not TCP.
      expect(row?.socket).toBe(true);
      expect(db.describe).toBe(`postgres:///${name}?host=${socketDir}`);
    } finally {
      await db.close();
    }
  });

  it('lets two api instances migrate the same fresh database at once: both start and each migration runs once', async () => {
    const name = await aFreshDatabaseName();
    const url = serverUrl.replace(/\/[^/]*$/, `/${name}`);
    const logs: string[][] = [[], []];

    const opened = await Promise.allSettled(logs.map((log) => openDatabase({ url }, { log: (line) => log.push(line) })));

    const dbs = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    try {
      expect(opened.map((result) => (result.status === 'rejected' ? String(result.reason) : 'opened'))).toEqual(['opened', 'opened']);
      const applied = logs.flat().filter((line) => line.startsWith('migration applied: '));
      expect(applied.sort()).toEqual(MIGRATIONS.map((m) => `migration applied: ${m.name}`).sort());
      expect(await appliedIn(dbs[0] as Database)).toEqual(MIGRATIONS.map((m) => m.name));
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });
});
