import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Child } from '../../support/child-process.js';
import { listenOnLoopback } from '../../support/ports.js';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Accepts TCP connections on loopback and records the first bytes of each (an HTTP request line or a CONNECT). */
async function recorder(): Promise<{ server: Server; port: number; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((socket) => {
    socket.once('data', (chunk: Buffer) => {
      seen.push(chunk.toString('latin1').split('\r\n')[0]!);
      socket.destroy();
    });
    socket.on('error', () => undefined);
  });
  await listenOnLoopback(server);
  return { server, port: (server.address() as { port: number }).port, seen };
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.map((step) => step()));
  cleanup = [];
});

describe('the Cloud Logging transport', () => {
  it('writes to stdout only: it never asks the metadata server or calls the Logging API', async () => {
    const target = await recorder();
    cleanup.push(() => new Promise((resolve) => target.server.close(() => resolve())));
    const local = `127.0.0.1:${target.port}`;
    // Metadata detection is on (the suite turns it off everywhere else); the metadata server and
    // every proxy Google's HTTP and gRPC clients honour point at the recorder, so a call is seen.
    const child = new Child(
      process.execPath,
      ['--import', 'tsx', 'test/support/logging-child.ts', '1500'],
      { PATH: process.env.PATH ?? '/usr/bin:/bin', GCE_METADATA_HOST: local, GCE_METADATA_IP: local, https_proxy: `http://${local}`, http_proxy: `http://${local}`, grpc_proxy: `http://${local}` },
      projectRoot,
    );
    cleanup.push(() => child.kill());

    const exit = await child.waitForExit(20_000);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(child.jsonLines.map((line) => [line.severity, String(line.message).split(' ')[0] + ' ' + String(line.message).split(' ')[1]])).toEqual([
      ['INFO', 'child started'],
      ['ERROR', 'child failed'],
      ['ERROR', 'child circuit'],
      ['INFO', 'child done'],
    ]);
    expect(child.stderr).toBe('');
    expect(target.seen).toEqual([]);
  });
});
