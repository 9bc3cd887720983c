import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { serviceContextOf } from '../../../src/config/service-context.js';
import { createLogger, errorFields } from '../../../src/observability/logger.js';
import { newTrace, runWithTrace } from '../../../src/observability/trace-context.js';

// Error Reporting reads Cloud Logging entries: an entry is an error event when its jsonPayload has
// `@type: …ReportedErrorEvent` (then a plain message is enough), or a stack in `stack_trace`,
// `exception` or `message`. These tests parse the lines the real logger writes.
const REPORTED_ERROR_EVENT = 'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent';
const SERVICE = { service: 'vocoeng-worker', version: 'vocoeng-worker-00042-qaz' };
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

type Line = Record<string, unknown>;

function capturedLogger() {
  const text: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => text.push(chunk.toString('utf8')));
  const logger = createLogger({ level: 'info', stream, labels: { role: 'worker' }, projectId: 'demo-project', serviceContext: SERVICE });
  const rawLines = () => text.join('').split('\n').filter(Boolean);
  return { logger, rawLines, lines: () => rawLines().map((line) => JSON.parse(line) as Line) };
}

function failingParse(): Error {
  try {
    JSON.parse('{not json');
  } catch (error) {
    return error as Error;
  }
  throw new Error('unreachable');
}

describe('createLogger for Error Reporting', () => {
  it('reports an error with an exception: its V8 stack in the message, the @type and the service context', () => {
    const { logger, lines } = capturedLogger();
    const trace = newTrace();

    runWithTrace(trace, () => logger.error('unexpected error', { path: '/x', ...errorFields(failingParse()) }));

    const [line] = lines();
    expect(line).toMatchObject({
      severity: 'ERROR',
      '@type': REPORTED_ERROR_EVENT,
      serviceContext: SERVICE,
      path: '/x',
      errorName: 'SyntaxError',
      'logging.googleapis.com/trace': `projects/demo-project/traces/${trace.traceId}`,
      'logging.googleapis.com/labels': { role: 'worker' },
    });
    expect(line!.message).toMatch(/^unexpected error SyntaxError: .+\n {4}at /);
    expect(line!.message).toMatch(/\n {4}at failingParse \(.*error-reporting\.test\.ts:\d+:\d+\)/);
    // The stack is in the message once, not repeated in a field of its own.
    expect(Object.keys(line!)).not.toContain('stack');
    expect(Object.keys(line!)).not.toContain('metadata');
  });

  it('reports an error without an exception with the @type, the service context, the message as logged and where it was logged', () => {
    const { logger, lines } = capturedLogger();
    function openTheCircuit() {
      logger.error('model circuit open: completions fail fast until a probe succeeds', { reason: 'timeout', halfOpenAfterMs: 30_000 });
    }

    openTheCircuit();

    const [line] = lines();
    expect(line).toMatchObject({
      severity: 'ERROR',
      '@type': REPORTED_ERROR_EVENT,
      serviceContext: SERVICE,
      message: 'model circuit open: completions fail fast until a probe succeeds',
      reason: 'timeout',
      halfOpenAfterMs: 30_000,
      context: { reportLocation: { filePath: expect.stringContaining('error-reporting.test.ts'), lineNumber: expect.any(Number), functionName: expect.stringContaining('openTheCircuit') } },
    });
    expect((line!.context as { reportLocation: { lineNumber: number } }).reportLocation.lineNumber).toBeGreaterThan(0);
  });

  it('keeps warnings and info out of Error Reporting: no @type, no service context and no stack where Error Reporting looks', () => {
    const { logger, lines } = capturedLogger();

    logger.warn('request failed', { path: '/y', ...errorFields(failingParse()) });
    logger.info('GET /y 200');

    const [warning, info] = lines();
    expect(warning).toMatchObject({ severity: 'WARNING', message: 'request failed', path: '/y', errorName: 'SyntaxError', errorStack: expect.stringContaining('failingParse') });
    expect(info).toMatchObject({ severity: 'INFO', message: 'GET /y 200' });
    for (const line of [warning!, info!]) {
      for (const key of ['@type', 'serviceContext', 'stack_trace', 'exception', 'stack', 'context']) expect(Object.keys(line)).not.toContain(key);
    }
  });

  it('writes exactly one JSON line per entry, from the first entry of the process on', () => {
    const { logger, rawLines } = capturedLogger();

    logger.info('first');
    logger.error('second');
    logger.warn('third');

    expect(rawLines().map((line) => (JSON.parse(line) as Line).message)).toEqual(['first', 'second', 'third']);
  });

  it('takes the service context from Cloud Run (K_SERVICE, K_REVISION), else the role and the package version', () => {
    expect(serviceContextOf({ ROLE: 'worker', K_SERVICE: 'vocoeng-worker', K_REVISION: 'vocoeng-worker-00042-qaz' })).toEqual(SERVICE);
    expect(serviceContextOf({ ROLE: 'listener' })).toEqual({ service: 'vocoeng-webhook-listener', version: PACKAGE_VERSION });
    expect(serviceContextOf({ ROLE: 'api' })).toEqual({ service: 'vocoeng-api', version: PACKAGE_VERSION });
    expect(serviceContextOf({})).toEqual({ service: 'vocoeng', version: PACKAGE_VERSION });
    expect(serviceContextOf({ ROLE: 'not-a-role' })).toEqual({ service: 'vocoeng', version: PACKAGE_VERSION });
  });
});
