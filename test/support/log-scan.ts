import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOG_SCAN_DIR_VARIABLE } from './log-sink.js';

/** A directory of this run's own for the log scan, announced to the workers through the environment. */
export function startLogScan(): string {
  const dir = join(fileURLToPath(new URL('../../.tmp/', import.meta.url)), `log-scan-${randomUUID().slice(0, 8)}`);
  process.env[LOG_SCAN_DIR_VARIABLE] = dir;
  return dir;
}

async function filesOf(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
}

export interface LogScanResult {
  lines: number;
  values: number;
  leaks: { value: string; line: string }[];
}

/** Looks for every registered sensitive value in every captured log line of the run, then removes the directory. */
export async function scanLogs(dir: string): Promise<LogScanResult> {
  const values = new Set((await filesOf(join(dir, 'sensitive'))).flatMap((text) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as string)));
  const lines = (await filesOf(join(dir, 'logs'))).flatMap((text) => text.split('\n').filter(Boolean));
  const leaks: LogScanResult['leaks'] = [];
  const spellings = [...values].map((value) => ({ value, escaped: JSON.stringify(value).slice(1, -1) }));
  for (const line of lines) {
    // In JSON lines a value may appear escaped; look for both spellings.
    for (const { value, escaped } of spellings) if (line.includes(value) || line.includes(escaped)) leaks.push({ value, line: line.slice(0, 400) });
  }
  await rm(dir, { recursive: true, force: true });
  return { lines: lines.length, values: values.size, leaks };
}
