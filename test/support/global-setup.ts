import type { TestProject } from 'vitest/node';
import { startEmulator, type RunningEmulator } from './emulators.js';
import { startPostgres, type RunningPostgres } from './postgres-server.js';
import { scanLogs, startLogScan } from './log-scan.js';

export const EMULATOR_PROJECT = 'demo-vocoeng';

declare module 'vitest' {
  export interface ProvidedContext {
    pubsubEmulatorHost: string;
    firestoreEmulatorHost: string;
    emulatorProject: string;
    postgresUrl: string;
    /** The run's PostgreSQL socket directory and port (socket form of DATABASE_URL); '' in a container. */
    postgresSocketDir: string;
    postgresPort: number;
  }
}

/**
 * Starts the Pub/Sub and Firestore emulators and a PostgreSQL server once for the whole run and
 * stops them after it. Suites isolate themselves with their own topic names, document ids,
 * collections and databases.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  const logScan = startLogScan();
  const started = await Promise.allSettled<RunningEmulator | RunningPostgres>([
    startEmulator('pubsub', EMULATOR_PROJECT),
    startEmulator('firestore', EMULATOR_PROJECT),
    startPostgres(),
  ]);
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    // Never leave one emulator running because the other failed.
    await Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
    throw failed.reason;
  }
  const [pubsub, firestore, postgres] = started.map((result) => (result as PromiseFulfilledResult<RunningEmulator | RunningPostgres>).value) as [
    RunningEmulator,
    RunningEmulator,
    RunningPostgres,
  ];
  project.provide('pubsubEmulatorHost', pubsub.host);
  project.provide('firestoreEmulatorHost', firestore.host);
  project.provide('emulatorProject', EMULATOR_PROJECT);
  project.provide('postgresUrl', postgres.url);
  project.provide('postgresSocketDir', postgres.socketDir);
  project.provide('postgresPort', postgres.port);
  return async () => {
    await Promise.all([pubsub.stop(), firestore.stop(), postgres.stop()]);
    // The run-wide log scan: no phone number, message text or secret in any captured log line.
    const scan = await scanLogs(logScan);
    console.log(`log scan: ${scan.lines} log lines, ${scan.values} phone numbers, texts and secrets: ${scan.leaks.length} found in logs`);
    if (scan.leaks.length > 0) {
      throw new Error(`sensitive values in the logs:\n${scan.leaks.slice(0, 10).map((l) => `  ${JSON.stringify(l.value)} in ${l.line}`).join('\n')}`);
    }
  };
}
