import { appendFile } from 'node:fs/promises';
import type { Child, Exit } from './child-process.js';
import { spawnMain } from './role-process.js';
import type { CrashRun } from './crash-run.js';

const STOP_MS = 10_000;

/** Every worker started here and still running, so a suite can kill what is left in `afterAll`. */
const running = new Set<Child>();

export async function killAllWorkers(): Promise<void> {
  await Promise.all([...running].map((child) => child.kill()));
}

/**
 * A push worker as production starts it (`--import tsx src/main.ts`) on the run's world, with
 * `FAULT_CRASH_AT` when given. Its output is appended to the run's log file once it has exited.
 */
export function spawnWorker(run: CrashRun, crashAt?: string): Child {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'info', ...run.workerEnv(), ...(crashAt ? { FAULT_CRASH_AT: crashAt } : {}) };
  const child = spawnMain(env);
  const startedAt = new Date().toISOString();
  running.add(child);
  void child.exited.then(async (exit) => {
    running.delete(child);
    const header = `===== worker started ${startedAt} FAULT_CRASH_AT=${crashAt ?? '(none)'} exit ${JSON.stringify(exit)}`;
    await appendFile(run.logFile, `${header}\n${child.stdout}\n----- stderr\n${child.stderr}\n`).catch(() => undefined);
  });
  return child;
}

const hasExited = (child: Child): boolean => child.process.exitCode !== null || child.process.signalCode !== null;

/** The crash point a worker announced before it killed itself, or an error naming how it really ended. */
export function crashPointOf(child: Child, exit: Exit): string {
  const point = /crash-point (\S+)/.exec(child.stderr)?.[1];
  if (exit.signal === 'SIGKILL' && point) return point;
  throw new Error(`worker ended without a planned crash (${JSON.stringify(exit)})\nstderr:\n${child.stderr.slice(-4_000)}\nstdout:\n${child.stdout.slice(-4_000)}`);
}

/**
 * Resolves true once `condition` holds. It is checked at once and again after every line the
 * worker logs about a delivery (handled or handed back): the only moments it can change.
 * Resolves false when the worker exits first or `deadline` (epoch ms) passes.
 */
export function untilCondition(child: Child, condition: () => Promise<boolean>, deadline: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let checking = false;
    let again = false;
    let finished = false;
    const finish = (outcome: () => void) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      child.process.stdout?.off('data', onData);
      outcome();
    };
    const check = async (): Promise<void> => {
      if (checking) return void (again = true);
      checking = true;
      try {
        do {
          again = false;
          if (!finished && (await condition())) finish(() => resolve(true));
        } while (again && !finished);
      } catch (error) {
        finish(() => reject(error as Error));
      } finally {
        checking = false;
      }
    };
    const onData = (chunk: string) => {
      if (chunk.includes('"messageId"')) void check();
    };
    const timer = setTimeout(() => finish(() => resolve(false)), Math.max(0, deadline - Date.now()));
    child.process.stdout?.on('data', onData);
    void child.exited.then(() => finish(() => resolve(false)));
    void check();
  });
}

/** SIGTERM and wait for a clean exit; a worker that dies at a crash point meanwhile counts as a kill. */
export async function stopWorker(run: CrashRun, child: Child): Promise<void> {
  if (!hasExited(child)) child.process.kill('SIGTERM');
  let exit: Exit;
  try {
    exit = await child.waitForExit(STOP_MS);
  } catch (error) {
    await child.kill();
    throw error;
  }
  if (exit.signal === 'SIGKILL') run.killed(crashPointOf(child, exit));
  // Killed by the SIGTERM itself: it came before the worker installed its handler, so before it served anything.
  else if (exit.code !== 0 && exit.signal !== 'SIGTERM') throw new Error(`worker did not stop cleanly (${JSON.stringify(exit)})\nstderr:\n${child.stderr.slice(-4_000)}`);
}

export interface CrashSchedule {
  /** `FAULT_CRASH_AT` of the first crashing worker, then of each one replacing a killed one. */
  crashAt: readonly [first: string, then: string];
  /** No new crashing worker after this many kills. */
  maxKills: number;
  /** Epoch ms: the crashing phase ends here whatever happened. */
  crashUntil: number;
  /** Epoch ms: the worker without crash points must have settled every message by then. */
  settleBy: number;
  /**
   * On a busy machine a worker may take far longer to start than the phases allow for: both
   * deadlines move later by the time the first worker took to be ready, up to this long.
   */
  startupMs?: number;
}

/**
 * Crashing workers one after the other (each killed one replaced by a fresh one with the same
 * setting) until every message is terminal, `maxKills` kills or `crashUntil`; then one worker
 * without crash points until every message is terminal and its interaction published.
 * Resolves whether it settled; the queue checker judges the outcome.
 */
export async function crashThenRecover(run: CrashRun, schedule: CrashSchedule): Promise<{ settled: boolean; workers: number }> {
  let workers = 0;
  let slowStart = 0;
  while (run.kills.length < schedule.maxKills && Date.now() < schedule.crashUntil + slowStart) {
    const worker = spawnWorker(run, schedule.crashAt[workers === 0 ? 0 : 1]);
    workers += 1;
    if (workers === 1 && schedule.startupMs) {
      const spawnedAt = Date.now();
      await worker.waitForLine((line) => line.includes(' ready on '), schedule.startupMs).catch(() => undefined);
      slowStart = Date.now() - spawnedAt;
    }
    const settled = await untilCondition(worker, () => run.settled({ recorded: false }), schedule.crashUntil + slowStart);
    if (hasExited(worker)) run.killed(crashPointOf(worker, await worker.exited));
    else await stopWorker(run, worker);
    if (settled) break;
  }
  const clean = spawnWorker(run);
  workers += 1;
  const settled = await untilCondition(clean, () => run.settled({ recorded: true }), schedule.settleBy + slowStart);
  if (hasExited(clean)) throw new Error(`the worker without crash points exited (${JSON.stringify(await clean.exited)})\nstderr:\n${clean.stderr.slice(-4_000)}`);
  await stopWorker(run, clean);
  return { settled, workers };
}
