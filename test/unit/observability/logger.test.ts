import { randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/http/create-app.js';
import { requestLog, traceRequests } from '../../../src/http/request-log.js';
import { createLogger, type Logger } from '../../../src/observability/logger.js';
import { newTrace, runWithTrace } from '../../../src/observability/trace-context.js';

const TRACE = 'logging.googleapis.com/trace';
const SPAN = 'logging.googleapis.com/spanId';
const SAMPLED = 'logging.googleapis.com/trace_sampled';

type Line = Record<string, unknown>;

function capturedLogger(options: { projectId?: string; labels?: Record<string, string> } = {}): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)));
  return { logger: createLogger({ level: 'info', stream, ...options }), lines };
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('createLogger', () => {
  it('writes one JSON object per line with severity, message, timestamp, labels and fields', () => {
    const { logger, lines } = capturedLogger({ labels: { role: 'worker' } });
    const before = Date.now();

    logger.warn('reply unsent', { messageId: 'm-1' });

    // Cloud Logging's structured format as @google-cloud/logging-winston writes it for stdout.
    expect(lines).toEqual([
      {
        severity: 'WARNING',
        message: 'reply unsent',
        timestamp: { seconds: expect.any(Number), nanos: expect.any(Number) },
        'logging.googleapis.com/labels': { role: 'worker' },
        'logging.googleapis.com/insertId': expect.any(String),
        logName: 'projects/local/logs/vocoeng',
        messageId: 'm-1',
      },
    ]);
    const { seconds, nanos } = lines[0]!.timestamp as { seconds: number; nanos: number };
    expect(seconds * 1000 + nanos / 1e6).toBeGreaterThanOrEqual(before - 1);
    expect(seconds * 1000 + nanos / 1e6).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('adds the trace with the project id, the span and the sampled flag when logging inside a trace', () => {
    const { logger, lines } = capturedLogger({ projectId: 'demo-project' });
    const trace = { traceId: hex(16), spanId: hex(8), sampled: true };

    runWithTrace(trace, () => logger.info('inside'));

    expect(lines[0]).toMatchObject({
      message: 'inside',
      [TRACE]: `projects/demo-project/traces/${trace.traceId}`,
      [SPAN]: trace.spanId,
      [SAMPLED]: true,
    });
  });

  it('uses the project "local" when no project id is given', () => {
    const { logger, lines } = capturedLogger();
    const trace = newTrace();

    runWithTrace(trace, () => logger.info('inside'));

    expect(lines[0]).toMatchObject({ [TRACE]: `projects/local/traces/${trace.traceId}`, [SAMPLED]: false });
  });

  it('adds no trace fields when no trace is active', () => {
    const { logger, lines } = capturedLogger({ projectId: 'demo-project' });

    logger.info('outside');

    expect(Object.keys(lines[0]!)).not.toContain(TRACE);
    expect(Object.keys(lines[0]!)).not.toContain(SPAN);
  });

  it('keeps each line in its own trace when concurrent work in different traces logs interleaved', async () => {
    const { logger, lines } = capturedLogger({ projectId: 'p' });
    const traces = Array.from({ length: 20 }, () => newTrace());

    await Promise.all(
      traces.map((trace, i) =>
        runWithTrace(trace, async () => {
          await new Promise((resolve) => setTimeout(resolve, (i * 7) % 5));
          logger.info('step', { i });
          await new Promise((resolve) => setImmediate(resolve));
          logger.info('step', { i });
        }),
      ),
    );

    expect(lines).toHaveLength(40);
    for (const line of lines) expect(line[TRACE]).toBe(`projects/p/traces/${traces[line.i as number]!.traceId}`);
  });
});

/** The app's middleware chain with a route that logs from inside the handler, after an await. */
function tracedApp() {
  const { logger, lines } = capturedLogger({ projectId: 'demo-project' });
  const app = createApp('all', { ready: true }, logger, [
    new Hono()
      .get('/work', async (c) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        logger.info('working');
        return c.json({ ok: true });
      })
      .get('/boom', () => {
        throw new TypeError('unexpected');
      }),
  ]);
  const lineOf = (message: string) => lines.find((line) => line.message === message);
  return { app, lines, lineOf };
}

describe('createLogger with a slow stream', () => {
  it('stamps each line with the trace of its caller while the stream is still busy with earlier lines', async () => {
    const lines: Line[] = [];
    const stream = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line));
        setTimeout(callback, 5);
      },
    });
    const logger = createLogger({ level: 'info', stream, projectId: 'p' });
    const traces = Array.from({ length: 10 }, () => newTrace());

    for (const [i, trace] of traces.entries()) runWithTrace(trace, () => logger.info('step', { i }));
    // The stream has written the last line: no fixed wait, only the event it was waiting for.
    await vi.waitFor(() => expect(lines).toHaveLength(traces.length));

    expect(lines.map((line) => line.i)).toEqual(traces.map((_, i) => i));
    for (const line of lines) expect(line[TRACE]).toBe(`projects/p/traces/${traces[line.i as number]!.traceId}`);
  });
});

describe('traceRequests + requestLog', () => {
  it('puts the access log line and the logs of the handler in the trace of traceparent', async () => {
    const { app, lineOf } = tracedApp();
    const [traceId, spanId] = [hex(16), hex(8)];

    await app.request('/work', { headers: { traceparent: `00-${traceId}-${spanId}-01` } });

    for (const message of ['working', 'GET /work 200']) {
      expect(lineOf(message)).toMatchObject({ [TRACE]: `projects/demo-project/traces/${traceId}`, [SPAN]: spanId, [SAMPLED]: true });
    }
  });

  it('derives the trace from X-Cloud-Trace-Context, turning the decimal span id into 16 hex digits', async () => {
    const { app, lineOf } = tracedApp();
    const traceId = hex(16);

    await app.request('/work', { headers: { 'x-cloud-trace-context': `${traceId}/2205310701640571284;o=1` } });

    expect(lineOf('GET /work 200')).toMatchObject({ [TRACE]: `projects/demo-project/traces/${traceId}`, [SPAN]: '1e9ad6661ea75994', [SAMPLED]: true });
    expect(lineOf('working')).toMatchObject({ [TRACE]: `projects/demo-project/traces/${traceId}`, [SPAN]: '1e9ad6661ea75994' });
  });

  it('prefers traceparent when both headers are present', async () => {
    const { app, lineOf } = tracedApp();
    const [traceId, spanId] = [hex(16), hex(8)];

    await app.request('/work', { headers: { traceparent: `00-${traceId}-${spanId}-00`, 'x-cloud-trace-context': `${hex(16)}/1;o=1` } });

    expect(lineOf('GET /work 200')).toMatchObject({ [TRACE]: `projects/demo-project/traces/${traceId}`, [SPAN]: spanId, [SAMPLED]: false });
  });

  it('gives a request without trace headers a new trace and span of its own', async () => {
    const { app, lines } = tracedApp();

    await app.request('/work');
    await app.request('/work');

    const access = lines.filter((line) => line.message === 'GET /work 200');
    expect(access).toHaveLength(2);
    for (const line of access) {
      expect(line[TRACE]).toMatch(/^projects\/demo-project\/traces\/[0-9a-f]{32}$/);
      expect(line[SPAN]).toMatch(/^[0-9a-f]{16}$/);
      expect(line[SAMPLED]).toBe(false);
    }
    expect(access[0]![TRACE]).not.toBe(access[1]![TRACE]);
    const handled = lines.filter((line) => line.message === 'working');
    expect(handled.map((line) => line[TRACE])).toEqual(access.map((line) => line[TRACE]));
  });

  it('starts a new trace when the trace headers are malformed', async () => {
    const { app, lineOf } = tracedApp();

    await app.request('/work', { headers: { traceparent: '00-00000000000000000000000000000000-0000000000000000-01', 'x-cloud-trace-context': 'garbage' } });

    expect(lineOf('GET /work 200')![TRACE]).toMatch(/^projects\/demo-project\/traces\/(?!0{32})[0-9a-f]{32}$/);
  });

  it('keeps concurrent requests in their own traces', async () => {
    const { app, lines } = tracedApp();
    const traceIds = Array.from({ length: 10 }, () => hex(16));

    await Promise.all(traceIds.map((traceId) => app.request('/work', { headers: { traceparent: `00-${traceId}-${hex(8)}-01` } })));

    const handled = lines.filter((line) => line.message === 'working').map((line) => line[TRACE]);
    expect(handled.sort()).toEqual(traceIds.map((id) => `projects/demo-project/traces/${id}`).sort());
  });

  it('logs an unexpected error of the request in the request trace', async () => {
    const { app, lines, lineOf } = tracedApp();
    const traceId = hex(16);

    const res = await app.request('/boom', { headers: { traceparent: `00-${traceId}-${hex(8)}-01` } });

    expect(res.status).toBe(500);
    // The stack follows the message on the entry of an error (Error Reporting reads it there).
    expect(lines.find((line) => String(line.message).startsWith('unexpected error TypeError: unexpected\n'))).toMatchObject({ severity: 'ERROR', [TRACE]: `projects/demo-project/traces/${traceId}` });
    expect(lineOf('GET /boom 500')).toMatchObject({ [TRACE]: `projects/demo-project/traces/${traceId}` });
  });

  it('logs the request URL without its query string', async () => {
    const { app, lines, lineOf } = tracedApp();

    await app.request('/work?hub.verify_token=super-secret-token&hub.challenge=42');

    expect(lineOf('GET /work 200')).toMatchObject({ httpRequest: expect.objectContaining({ requestMethod: 'GET', requestUrl: '/work', status: 200 }) });
    expect(JSON.stringify(lines)).not.toContain('super-secret-token');
  });

  it('works as standalone middleware on any Hono app', async () => {
    const { logger, lines } = capturedLogger({ projectId: 'p' });
    const app = new Hono().use(traceRequests()).use(requestLog(logger)).get('/x', (c) => c.text('ok'));
    const traceId = hex(16);

    await app.request('/x', { headers: { traceparent: `00-${traceId}-${hex(8)}-01` } });

    expect(lines).toEqual([expect.objectContaining({ message: 'GET /x 200', [TRACE]: `projects/p/traces/${traceId}` })]);
  });
});
