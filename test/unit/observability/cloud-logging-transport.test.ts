import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cloudLoggingTransport } from '../../../src/observability/cloud-logging-transport.js';

// What @google-cloud/logging-winston itself requires.
const requireFromWinston = createRequire(createRequire(import.meta.url).resolve('@google-cloud/logging-winston'));

describe('cloudLoggingTransport', () => {
  it('builds none of the Logging API clients that stdout mode never calls, and leaves the package as it found it', async () => {
    const loggingModule = requireFromWinston('@google-cloud/logging') as { Logging: new (options: object) => object };
    const real = loggingModule.Logging;
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));

    const transport = cloudLoggingTransport({ stream, projectId: 'demo-project', serviceContext: { service: 'vocoeng-test', version: '1' } });
    await new Promise<void>((resolve) => transport.log({ level: 'info', message: 'hello' }, () => resolve()));

    const logging = (transport.common.cloudLog as unknown as { logging: object }).logging;
    expect(logging).toBeInstanceOf(real);
    expect(logging).not.toHaveProperty('loggingService');
    expect(logging).not.toHaveProperty('configService');
    expect(loggingModule.Logging).toBe(real);
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ severity: 'INFO', message: 'hello', logName: 'projects/demo-project/logs/vocoeng' }),
    ]);
  });
});
