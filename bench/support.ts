import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const BENCH_DIR = new URL('.', import.meta.url).pathname;
export const PROJECT_ROOT = join(BENCH_DIR, '..');

/**
 * NODE_OPTIONS as a role's Cloud Run service is deployed with them (`--set-env-vars` of its
 * cloudbuild.*.yaml; the deploy test checks what gcloud is given), so a bench runs the role as deployed.
 */
export function deployedNodeOptions(file: 'cloudbuild.webhook.yaml' | 'cloudbuild.worker.yaml' | 'cloudbuild.api.yaml'): Record<string, string> {
  const value = /NODE_OPTIONS=([^;"'\s]+)/.exec(readFileSync(join(PROJECT_ROOT, file), 'utf8'))?.[1];
  return value ? { NODE_OPTIONS: value } : {};
}

export function machine() {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
}

/** Writes `bench/results/<name>.json` with the machine, the date and the command. */
export async function writeResult(name: string, command: string, result: Record<string, unknown>): Promise<void> {
  await mkdir(join(BENCH_DIR, 'results'), { recursive: true });
  const record = { bench: name, command, date: new Date().toISOString(), machine: machine(), ...result };
  await writeFile(join(BENCH_DIR, 'results', `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  console.log(JSON.stringify(record));
}

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** A bounded wrk run (one thread, `connections` connections) against a loopback URL. */
export async function wrk(url: string, options: { seconds: number; connections: number; script?: string }): Promise<LoadResult> {
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', ...(options.script ? ['-s', options.script] : []), url];
  const { stdout } = await promisify(execFile)('wrk', args, { encoding: 'utf8', timeout: (options.seconds + 30) * 1000 });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  if (!rps || !p50 || !p99) throw new Error(`wrk output not understood:\n${stdout}`);
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0) + Number(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout)?.slice(1).reduce((a, b) => a + Number(b), 0) ?? 0);
  return { rps: Number(rps[1]), p50Ms: toMs(p50[1]!, p50[2]!), p99Ms: toMs(p99[1]!, p99[2]!), errors };
}

const toMs = (value: string, unit: string) => Number((Number(value) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1)).toFixed(3));

/** A server script in its own process (so the load generator and the server do not share an event loop). */
export async function startServer(script: string, env: Record<string, string>): Promise<{ port: number; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: PROJECT_ROOT, env: { ...process.env, METADATA_SERVER_DETECTION: 'none', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /^listening (\d+)$/m.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  return {
    port,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

export const ratio = (value: number, baseline: number) => Number((value / baseline).toFixed(3));

export function percentileOf(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
