import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../support/ports.js';
import { TcpProxy } from '../support/tcp-proxy.js';

// The TCP proxy the fault tests put in front of the Firestore emulator, against a tiny echo server.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function anEchoServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  await listenOnLoopback(server);
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, port: (server.address() as { port: number }).port, sockets };
}

async function aProxy(): Promise<TcpProxy> {
  const echo = await anEchoServer();
  const proxy = TcpProxy.to(`127.0.0.1:${echo.port}`);
  await proxy.start();
  cleanups.push(() => proxy.stop());
  return proxy;
}

/** A client connection to `host` that collects what it receives and how it ended. */
async function aClient(host: string): Promise<{ socket: Socket; received: () => string; ended: Promise<{ error?: NodeJS.ErrnoException }> }> {
  const [address, port] = host.split(':');
  const socket = connect(Number(port), address);
  let data = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
  const ended = new Promise<{ error?: NodeJS.ErrnoException }>((resolve) => {
    socket.once('error', (error) => resolve({ error }));
    socket.once('close', () => resolve({}));
  });
  await once(socket, 'connect');
  cleanups.push(() => void socket.destroy());
  return { socket, received: () => data, ended };
}

/** Resolves once the client has received `text` in full. */
async function receive(client: { socket: Socket; received: () => string }, text: string): Promise<void> {
  while (!client.received().includes(text)) await once(client.socket, 'data');
}

function connectError(host: string): Promise<string | undefined> {
  const [address, port] = host.split(':');
  return new Promise((resolve) => {
    const socket = connect(Number(port), address);
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    // Accepted: an outage in reset mode then resets it at once.
    socket.once('close', () => resolve(undefined));
  });
}

describe('TcpProxy', () => {
  it('forwards bytes both ways and counts connections and bytes when no fault is set', async () => {
    const proxy = await aProxy();
    const client = await aClient(proxy.host);

    client.socket.write('hello through the proxy');
    await receive(client, 'hello through the proxy');

    expect(proxy.counters).toMatchObject({ accepted: 1, bytesUp: 23, bytesDown: 23, reset: 0 });
    expect(proxy.live).toBe(1);
  });

  it('delays each direction by the latency and keeps the order of the chunks when latency is set', async () => {
    const proxy = await aProxy();
    proxy.latency(150);
    const client = await aClient(proxy.host);
    const chunks = Array.from({ length: 20 }, (_, i) => `<${i}>`);

    const started = performance.now();
    for (const chunk of chunks) client.socket.write(chunk);
    await receive(client, chunks.join(''));

    // There and back: at least twice the latency (a lower bound only; the machine may be slower).
    expect(performance.now() - started).toBeGreaterThanOrEqual(2 * 150 - 5);
    expect(client.received()).toBe(chunks.join(''));
    proxy.latency(0);
    client.socket.write('<now>');
    await receive(client, '<now>');
  });

  it('forwards the end of a half-closed connection after the delayed data when the client ends first', async () => {
    const proxy = await aProxy();
    proxy.latency(100);
    const client = await aClient(proxy.host);

    client.socket.end('last words');
    expect(await client.ended).toEqual({});
    expect(client.received()).toBe('last words');
  });

  it('resets every live connection and still accepts new ones when resetAll is called', async () => {
    const proxy = await aProxy();
    const first = await aClient(proxy.host);
    const second = await aClient(proxy.host);
    first.socket.write('a');
    await receive(first, 'a');

    expect(proxy.resetAll()).toBe(2);

    expect((await first.ended).error?.code).toBe('ECONNRESET');
    expect((await second.ended).error?.code).toBe('ECONNRESET');
    expect(proxy.counters.reset).toBe(2);
    const third = await aClient(proxy.host);
    third.socket.write('still here');
    await receive(third, 'still here');
  });

  it('refuses new connections and kills live ones during an outage, and listens again on the same port when healed', async () => {
    const proxy = await aProxy();
    const host = proxy.host;
    const live = await aClient(host);

    await proxy.outage('refuse');

    expect((await live.ended).error?.code).toBe('ECONNRESET');
    expect(await connectError(host)).toBe('ECONNREFUSED');
    expect(proxy.inOutage).toBe(true);

    await proxy.heal();
    expect(proxy.host).toBe(host);
    const after = await aClient(host);
    after.socket.write('back');
    await receive(after, 'back');
  });

  it('accepts and resets every new connection during an outage in reset mode', async () => {
    const proxy = await aProxy();

    await proxy.outage('reset');
    const outcomes = await Promise.all([connectError(proxy.host), connectError(proxy.host)]);

    expect(outcomes.every((code) => code === 'ECONNRESET' || code === undefined)).toBe(true);
    expect(proxy.counters.refused).toBe(2);
    expect(proxy.counters.accepted).toBe(0);
    await proxy.heal();
    const after = await aClient(proxy.host);
    after.socket.write('ok');
    await receive(after, 'ok');
  });

  it('resets the client when the target is down', async () => {
    const echo = await anEchoServer();
    await new Promise<void>((resolve) => echo.server.close(() => resolve()));
    const proxy = TcpProxy.to(`127.0.0.1:${echo.port}`);
    await proxy.start();
    cleanups.push(() => proxy.stop());

    const client = await aClient(proxy.host);

    expect((await client.ended).error?.code).toBe('ECONNRESET');
  });
});
