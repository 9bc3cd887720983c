import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logAccess, type AccessEntry } from '../../../src/observability/access-log.js';
import { createLogger, type LoggerOptions } from '../../../src/observability/logger.js';
import { newTrace, runWithTrace } from '../../../src/observability/trace-context.js';

function capture(options: Omit<LoggerOptions, 'stream'>) {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { logger: createLogger({ ...options, stream }), chunks };
}

const entry: AccessEntry = {
  message: 'POST /webhooks/whatsapp 200',
  httpRequest: { requestMethod: 'POST', requestUrl: '/webhooks/whatsapp', status: 200, latency: '0.000213s', userAgent: undefined },
  fields: { messages: 2, statuses: 1, published: 3, skipped: 0 },
};

/** The line as the logger writes it, and as `logAccess` does, one after the other. */
function bothLines(options: Omit<LoggerOptions, 'stream'>, traced: boolean) {
  const { logger, chunks } = capture(options);
  const write = () => {
    logger.info(entry.message, { httpRequest: entry.httpRequest, ...entry.fields });
    logAccess(logger, entry);
  };
  if (traced) runWithTrace({ ...newTrace(), sampled: true }, write);
  else write();
  return chunks;
}

const insertIdKey = 'logging.googleapis.com/insertId';
const masked = (line: string) => {
  const parsed = JSON.parse(line) as Record<string, unknown>;
  return { ...parsed, timestamp: 'masked', [insertIdKey]: 'masked' };
};

describe('logAccess', () => {
  it.each([
    ['with labels and a trace', { level: 'info', labels: { role: 'listener' }, projectId: 'p-1' }, true],
    ['without labels or a trace', { level: 'debug' }, false],
  ] as const)('writes the line the logger writes for the same entry, %s', (_, options, traced) => {
    const [viaLogger, direct, ...rest] = bothLines(options, traced);

    expect(rest).toEqual([]);
    expect(direct!.endsWith('\n')).toBe(true);
    expect(Object.keys(JSON.parse(direct!) as object)).toEqual(Object.keys(JSON.parse(viaLogger!) as object));
    expect(masked(direct!)).toEqual(masked(viaLogger!));
  });

  it('stamps its line after the one before it, from the same insert id sequence and in Cloud Logging time', () => {
    const [viaLogger, direct] = bothLines({ level: 'info' }, true).map((line) => JSON.parse(line) as Record<string, unknown>);

    expect(String(direct![insertIdKey]) > String(viaLogger![insertIdKey])).toBe(true);
    const { seconds, nanos } = direct!.timestamp as { seconds: number; nanos: number };
    expect(Math.abs(seconds * 1000 + nanos / 1e6 - Date.now())).toBeLessThan(60_000);
    expect(Number.isInteger(nanos) && nanos >= 0 && nanos < 1e9).toBe(true);
  });

  it('writes nothing when the level is above info, as the logger would', () => {
    expect(bothLines({ level: 'warn' }, true)).toEqual([]);
  });
});
