import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { RoleRuntime } from '../../src/composition/role.js';

/** `ingress`: the server `main` builds; `app`: the Hono app alone on node:http (how roles were served before the ingress). */
export type ServedBy = 'ingress' | 'app';
const servers = { ingress: new WeakMap<RoleRuntime, Promise<string>>(), app: new WeakMap<RoleRuntime, Promise<string>>() };
const open = new Set<Server>();

/**
 * `app.request`, but over loopback HTTP to the node:http server `main` builds for the role (the
 * webhook ingress ahead of the Hono app). One server per runtime, closed by `closeHttpServers`.
 */
export async function requestOverHttp(runtime: RoleRuntime, path: string, init?: RequestInit, servedBy: ServedBy = 'ingress'): Promise<Response> {
  return fetch(`${await serverFor(runtime, servedBy)}${path}`, init);
}

/** The base URL of the runtime's server, started on first use. */
function serverFor(runtime: RoleRuntime, servedBy: ServedBy): Promise<string> {
  let serving = servers[servedBy].get(runtime);
  if (!serving) {
    serving = (async () => {
      const app = getRequestListener(runtime.app.fetch);
      const server = createServer(servedBy === 'ingress' ? await runtime.requestListener(app) : app);
      open.add(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    })();
    servers[servedBy].set(runtime, serving);
  }
  return serving;
}

export async function closeHttpServers(): Promise<void> {
  const closing = [...open].map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
  for (const server of open) server.closeAllConnections();
  open.clear();
  await Promise.all(closing);
}

/**
 * The same request written byte by byte on a socket: fetch refuses header values a sender can
 * still put on the wire (a control character). Only string bodies; the reply's status and body.
 */
export async function rawRequestOverHttp(runtime: RoleRuntime, path: string, init: RequestInit & { body?: string }): Promise<Response> {
  const base = await serverFor(runtime, 'ingress');
  const body = Buffer.from(init.body ?? '');
  const headers = Object.entries({ ...(init.headers as Record<string, string>), host: base.slice('http://'.length), 'content-length': String(body.length), connection: 'close' });
  const head = `${init.method ?? 'GET'} ${path} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks).toString('latin1'))).on('error', reject);
    socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
  const [statusLine = '', ...rest] = reply.split('\r\n\r\n')[0]!.split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const replyHeaders = new Headers(rest.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as [string, string]));
  return new Response(reply.slice(reply.indexOf('\r\n\r\n') + 4), { status, headers: replyHeaders });
}
