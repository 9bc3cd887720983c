import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { captureLogText } from './log-sink.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A child process with its stdout and stderr collected. `waitForLine` resolves on the first stdout
 * line matching a predicate (or rejects when the process exits first), driven by the output events.
 */
export class Child {
  readonly process: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;
  private readonly lineListeners = new Set<(line: string) => void>();

  constructor(command: string, args: string[], env: Record<string, string>, cwd: string) {
    this.process = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.process.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) for (const listener of this.lineListeners) listener(line);
    });
    this.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = once(this.process, 'close').then(([code, signal]) => {
      captureLogText(`${this.stdout}\n${this.stderr}`);
      this.exit = { code: code as number | null, signal: signal as NodeJS.Signals | null };
      return this.exit;
    });
  }

  /** stdout parsed as one JSON object per line (non-JSON lines are skipped). */
  get jsonLines(): Record<string, unknown>[] {
    return this.stdout.split('\n').flatMap((line) => {
      try {
        const value = JSON.parse(line) as unknown;
        return value && typeof value === 'object' ? [value as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
  }

  waitForLine(matches: (line: string) => boolean, timeoutMs: number): Promise<string> {
    const seen = this.stdout.split('\n').find(matches);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.lineListeners.delete(listener);
      };
      const listener = (line: string) => {
        if (!matches(line)) return;
        done();
        resolve(line);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching line within ${timeoutMs} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`));
      }, timeoutMs);
      this.lineListeners.add(listener);
      void this.exited.then((exit) => {
        if (!this.lineListeners.has(listener)) return;
        done();
        reject(new Error(`process exited (${JSON.stringify(exit)}) before a matching line\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`));
      });
    });
  }

  /** Resolves with the exit, or rejects when the process is still running after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`process still running after ${timeoutMs} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process if it is still running and waits for it to go. */
  async kill(): Promise<void> {
    if (this.exit || this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill('SIGKILL');
    await this.exited;
  }
}
