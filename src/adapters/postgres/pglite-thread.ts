// The embedded database's own thread: PGlite (PostgreSQL compiled to WebAssembly) and the socket
// server that speaks the PostgreSQL wire protocol for it. Its statements run here, beside the
// process's HTTP and reply work on the main thread instead of inside it (PGlite computes
// synchronously: on the main thread every statement stalls every request).
// This file imports packages only: under Node's own type stripping (tests) it needs no loader.
import { mkdir } from 'node:fs/promises';
import type { Server, Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface ThreadOptions {
  /** undefined keeps the database in memory. */
  dataDir: string | undefined;
  port: number;
  maxConnections: number;
}

/** What the thread posts: once `ready` (or `failed`), and `stopped` after a `stop` from the main thread. */
export type ThreadReport = { kind: 'ready' } | { kind: 'failed'; message: string } | { kind: 'stopped' };

const options = workerData as ThreadOptions;
const port = parentPort!;

async function start(): Promise<() => Promise<void>> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = options.dataDir ? await PGlite.create(options.dataDir) : await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port, maxConnections: options.maxConnections });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  // Runs before the server's own handling of the connection (deferred by setImmediate).
  const listening = (server as unknown as { server?: Server }).server;
  if (!listening) throw new Error('@electric-sql/pglite-socket no longer keeps its net.Server at .server: gatherWrites needs another hook');
  listening.on('connection', gatherWrites);
  return async () => {
    await server.stop();
    await db.close();
  };
}

/**
 * The socket server writes each piece of an answer as PGlite produces it, with no delay: ~30
 * writes, each its own segment, per statement. Corked at the first write and uncorked once the
 * turn of the event loop that runs the statement is over, they leave in one.
 */
function gatherWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    return write(...args);
  }) as Socket['write'];
}

try {
  const stop = await start();
  port.once('message', async () => {
    await stop();
    port.postMessage({ kind: 'stopped' } satisfies ThreadReport);
    port.close();
  });
  port.postMessage({ kind: 'ready' } satisfies ThreadReport);
} catch (error) {
  port.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies ThreadReport);
}
