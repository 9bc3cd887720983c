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

const KEY = 8;

/**
 * Looks for every registered sensitive value in every captured log line of the run, then removes
 * the directory. Values are indexed by their first 8 characters (every registered value has at
 * least 8), so the scan reads each line once however many values there are: a load test logs
 * tens of thousands of lines and registers as many phone numbers.
 */
export async function scanLogs(dir: string): Promise<LogScanResult> {
  const values = new Set((await filesOf(join(dir, 'sensitive'))).flatMap((text) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as string)));
  const byPrefix = new Map<string, { value: string; spelling: string }[]>();
  for (const value of values) {
    // In JSON lines a value may appear escaped; look for both spellings.
    for (const spelling of new Set([value, JSON.stringify(value).slice(1, -1)])) {
      const key = spelling.slice(0, KEY);
      byPrefix.set(key, [...(byPrefix.get(key) ?? []), { value, spelling }]);
    }
  }
  const lines = (await filesOf(join(dir, 'logs'))).flatMap((text) => text.split('\n').filter(Boolean));
  const leaks: LogScanResult['leaks'] = [];
  for (const line of lines) {
    for (let i = 0; i + KEY <= line.length; i++) {
      const candidates = byPrefix.get(line.slice(i, i + KEY));
      if (!candidates) continue;
      for (const { value, spelling } of candidates) if (line.startsWith(spelling, i)) leaks.push({ value, line: line.slice(0, 400) });
    }
  }
  await rm(dir, { recursive: true, force: true });
  return { lines: lines.length, values: values.size, leaks };
}
