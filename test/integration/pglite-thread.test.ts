import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/postgres/database.js';
import { startEmbeddedPostgres } from '../../src/adapters/postgres/pglite-server.js';

describe('the embedded database (PGlite in a thread of its own)', () => {
  it('computes beside the main thread: timers keep firing while a statement runs', async () => {
    const database = await openDatabase({ embeddedDir: undefined });
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      // PGlite computes synchronously: on the main thread this statement would stop every timer (0 ticks).
      await database.orm.em.fork().getConnection().execute('select pg_sleep(0.4)');
      clearInterval(timer);
      expect(ticks).toBeGreaterThanOrEqual(5);
    } finally {
      await database.close();
    }
  });

  it('keeps what was written across a stop and a start on the same directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vocoeng-pglite-thread-'));
    try {
      const first = await openDatabase({ embeddedDir: join(dir, 'db') });
      await first.orm.em.fork().getConnection().execute("insert into erased_user (user_key, erased_at) values ('k-1', now())");
      await first.close();
      const second = await openDatabase({ embeddedDir: join(dir, 'db') });
      const rows = await second.orm.em.fork().getConnection().execute<{ user_key: string }[]>('select user_key from erased_user');
      await second.close();
      expect(rows.map((row) => row.user_key)).toEqual(['k-1']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start on a data directory it cannot use, saying why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vocoeng-pglite-thread-'));
    try {
      const file = join(dir, 'not-a-directory');
      await writeFile(file, 'x');
      await expect(startEmbeddedPostgres({ dataDir: file, maxConnections: 2 })).rejects.toThrow(/EEXIST|ENOTDIR|not a directory|exists/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
