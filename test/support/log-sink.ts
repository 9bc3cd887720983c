import { appendFileSync, mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

// The run-wide log scan: every log line a test captures (in-process loggers and the stdout/stderr
// of every child process) is appended under <dir>/logs, and every phone number, message text and
// secret the test support makes up is registered under <dir>/sensitive. After the run the global
// teardown looks for each registered value in every captured line (test/support/log-scan.ts).
// The directory is the run's own (VOCOENG_LOG_SCAN_DIR, set by the global setup); outside a test
// run (benchmarks reuse the builders) nothing is recorded.

export const LOG_SCAN_DIR_VARIABLE = 'VOCOENG_LOG_SCAN_DIR';
const me = `${process.pid}-${randomUUID().slice(0, 8)}.txt`;

function append(kind: 'logs' | 'sensitive', text: string): void {
  const root = process.env[LOG_SCAN_DIR_VARIABLE];
  if (!root) return;
  const dir = join(root, kind);
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, me), text);
}

/** Adds captured log text to the run's log scan. */
export function captureLogText(text: string): void {
  if (text.trim().length > 0) append('logs', text.endsWith('\n') ? text : `${text}\n`);
}

/** Registers a value that must never appear in any log of the run, and returns it. */
export function sensitive<T extends string>(value: T): T {
  // Short values (a name, "Hi") would match ordinary words; the scan is for identifying values.
  if (value.length >= 8) append('sensitive', `${JSON.stringify(value)}\n`);
  return value;
}
