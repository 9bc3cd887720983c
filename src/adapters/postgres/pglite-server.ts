import { Worker } from 'node:worker_threads';
import { aFreeLoopbackPort } from './free-port.js';
import type { ThreadOptions, ThreadReport } from './pglite-thread.js';

export interface EmbeddedPostgres {
  /** `postgres://` URL of the loopback socket that serves the embedded database. */
  url: string;
  stop(): Promise<void>;
}

// The thread's entry beside this module: TypeScript source under tsx and the tests, JavaScript in dist/.
const THREAD = new URL(import.meta.url.endsWith('.ts') ? './pglite-thread.ts' : './pglite-thread.js', import.meta.url);

/**
 * PGlite (PostgreSQL compiled to WebAssembly) served over the PostgreSQL wire protocol on
 * loopback, so the production `@mikro-orm/postgresql` driver runs unchanged against it. It runs
 * in a worker thread of its own, as a server would run in a process of its own: its statements
 * compute beside the main thread's work, not inside it. `dataDir` undefined keeps the database in
 * memory (tests); otherwise it persists there.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; maxConnections: number }): Promise<EmbeddedPostgres> {
  const port = await aFreeLoopbackPort();
  const worker = new Worker(THREAD, { workerData: { dataDir: options.dataDir, port, maxConnections: options.maxConnections } satisfies ThreadOptions });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const report = (): Promise<ThreadReport> =>
    new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      worker.once('error', onError);
      exited.then(() => reject(new Error('the embedded database thread exited')));
      worker.once('message', (message: ThreadReport) => {
        worker.off('error', onError);
        resolve(message);
      });
    });
  const started = await report().catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  if (started.kind !== 'ready') {
    await worker.terminate();
    throw new Error(started.kind === 'failed' ? started.message : 'the embedded database thread did not start');
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      const stopped = report();
      worker.postMessage('stop');
      await stopped.catch(() => undefined);
      // Closed by now: the thread ends with it (or is ended, should something of it linger).
      await worker.terminate();
    },
  };
}
