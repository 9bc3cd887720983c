import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
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

  it('answers each statement in one write, not one per protocol message', async () => {
    const embedded = await startEmbeddedPostgres({ maxConnections: 2 });
    const { port } = new URL(embedded.url);
    const socket = connect(Number(port), '127.0.0.1');
    try {
      const chunks = await wireSession(socket, 20);
      // Extended protocol: Parse, Bind, Describe, Execute and Sync, each answered by PGlite on its own.
      // (PGlite reports its parameters, S, with the first answer.)
      expect(chunks.map((chunk) => chunk.type.replaceAll('S', ''))).toEqual(Array.from({ length: 20 }, () => '12TDCZ'));
      expect(chunks.map((chunk) => chunk.reads)).toEqual(Array.from({ length: 20 }, () => 1));
    } finally {
      socket.destroy();
      await embedded.stop();
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

const message = (type: string, body: Buffer): Buffer => Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
const int32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const int16 = (n: number) => Buffer.from([n >>> 8, n & 255]);
const cstring = (text: string) => Buffer.from(`${text}\0`);

/**
 * Speaks the PostgreSQL wire protocol (v3) on `socket`: start-up, then `statements` times
 * `select $1::int + 1` by the extended protocol (as the pg driver sends it). For each statement,
 * the message types of its answer and how many reads (socket `data` events) carried them.
 */
async function wireSession(socket: Socket, statements: number): Promise<{ type: string; reads: number }[]> {
  let buffered = Buffer.alloc(0);
  let reads = 0;
  let types = '';
  let done: (() => void) | undefined;
  socket.on('data', (data: Buffer) => {
    reads++;
    buffered = Buffer.concat([buffered, data]);
    while (buffered.length >= 5 && buffered.length >= 1 + buffered.readInt32BE(1)) {
      types += String.fromCharCode(buffered[0]!);
      const ready = buffered[0] === 'Z'.charCodeAt(0);
      buffered = buffered.subarray(1 + buffered.readInt32BE(1));
      if (ready) done?.();
    }
  });
  const untilReady = () => new Promise<void>((resolve) => (done = resolve));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const startup = Buffer.concat([int32(196608), cstring('user'), cstring('postgres'), cstring('database'), cstring('postgres'), Buffer.from([0])]);
  let ready = untilReady();
  socket.write(Buffer.concat([int32(startup.length + 4), startup]));
  await ready;
  const answers: { type: string; reads: number }[] = [];
  for (let i = 0; i < statements; i++) {
    [reads, types] = [0, ''];
    ready = untilReady();
    const value = Buffer.from(String(i));
    socket.write(
      Buffer.concat([
        message('P', Buffer.concat([cstring(''), cstring('select $1::int + 1 as n'), int16(0)])),
        message('B', Buffer.concat([cstring(''), cstring(''), int16(0), int16(1), int32(value.length), value, int16(0)])),
        message('D', Buffer.concat([Buffer.from('P'), cstring('')])),
        message('E', Buffer.concat([cstring(''), int32(0)])),
        message('S', Buffer.alloc(0)),
      ]),
    );
    await ready;
    answers.push({ type: types, reads });
  }
  return answers;
}
