// `npm start`'s process as a user runs it (`node --import tsx src/main.ts`, ROLE=all, no PROJECT_ID,
// a fresh DATA_DIR, LOG_LEVEL=info), or a bench script that starts the same way, on a free loopback
// port. Its log goes to a file, as a terminal or a container runtime would take it; the start-up
// line tells which adapters it runs on.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aFreePort } from '../test/support/ports.js';
import { PROJECT_ROOT } from './support.js';

const READY_MS = 60_000;

export interface MainProcess {
  port: number;
  /** The `adapters` of the start-up line (`VocoEng all ready on …`). */
  adapters: Record<string, string>;
  /** Every JSON log line written so far. */
  logLines(): Promise<Record<string, unknown>[]>;
  /** How many log lines so far have each of `messages` as their message (read on from where the last call stopped). */
  countLines(messages: readonly string[]): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Starts `entry` (default src/main.ts) with ROLE=all on a fresh DATA_DIR and waits for /healthz and its ready line. */
export async function startMainProcess(env: Record<string, string>, entry = 'src/main.ts'): Promise<MainProcess> {
  const port = await aFreePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'vocoeng-bench-data-'));
  const logFile = join(dataDir, 'process.log');
  const log = openSync(logFile, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', METADATA_SERVER_DETECTION: 'none', ROLE: 'all', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const logLines = async () =>
    (await readFile(logFile, 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const counts = new Map<string, number>();
  let offset = 0;
  let partial = '';
  const countLines = async (messages: readonly string[]) => {
    const file = await open(logFile, 'r');
    try {
      for (;;) {
        const { bytesRead, buffer } = await file.read({ buffer: Buffer.alloc(1 << 20), position: offset });
        if (bytesRead === 0) break;
        offset += bytesRead;
        const lines = (partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
        partial = lines.pop()!;
        for (const line of lines) for (const message of messages) if (line.includes(`"message":${JSON.stringify(message)}`)) counts.set(message, (counts.get(message) ?? 0) + 1);
      }
    } finally {
      await file.close();
    }
    return Object.fromEntries(messages.map((message) => [message, counts.get(message) ?? 0]));
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const started = performance.now();
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}:\n${await readFile(logFile, 'utf8')}`);
      if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false)) break;
      if (performance.now() - started > READY_MS) throw new Error(`${entry} not healthy within ${READY_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ready = (await logLines()).find((line) => /^VocoEng \w+ ready on /.test(String(line.message)));
    return { port, adapters: (ready?.adapters ?? {}) as Record<string, string>, logLines, countLines, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
