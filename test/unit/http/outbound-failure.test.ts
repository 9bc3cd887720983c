import { createServer } from 'node:http';
import { errors } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyOutboundFailure } from '../../../src/adapters/http/outbound-failure.js';
import { aFreePort, listenOnLoopback } from '../../support/ports.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** What Node's fetch rejects with: a TypeError whose cause is the network error. */
const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
const systemError = (code: string) => Object.assign(new Error(`${code} (as Node reports it)`), { code });

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('classifyOutboundFailure', () => {
  it('calls a refused connection not-sent when fetch finds nothing listening', async () => {
    const port = await aFreePort();

    const error = await rejectionOf(fetch(`http://127.0.0.1:${port}/messages`, { method: 'POST', body: '{}' }));

    expect(classifyOutboundFailure(error)).toBe('not-sent');
  });

  it('calls it unknown when the server reads the request and closes the connection without answering', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.socket?.destroy());
    });
    await listenOnLoopback(server);
    stops.push(() => new Promise((resolve) => server.close(() => resolve())));

    const error = await rejectionOf(fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/`, { method: 'POST', body: '{"to":"x"}' }));

    expect(error).toBeInstanceOf(TypeError);
    expect(classifyOutboundFailure(error)).toBe('unknown');
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])('calls a fetch failure caused by %s not-sent', (code) => {
    expect(classifyOutboundFailure(fetchFailed(systemError(code)))).toBe('not-sent');
  });

  it('calls an undici connect timeout not-sent, wrapped by fetch or thrown by undici itself', () => {
    expect(classifyOutboundFailure(fetchFailed(new errors.ConnectTimeoutError()))).toBe('not-sent');
    expect(classifyOutboundFailure(new errors.ConnectTimeoutError())).toBe('not-sent');
  });

  it('calls a connection tried on several addresses not-sent only when every address refused', () => {
    const allRefused = Object.assign(new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')]), { code: 'ECONNREFUSED' });
    const oneReset = Object.assign(new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNRESET')]), { code: 'ECONNREFUSED' });

    expect(classifyOutboundFailure(fetchFailed(allRefused))).toBe('not-sent');
    expect(classifyOutboundFailure(fetchFailed(oneReset))).toBe('unknown');
  });

  it.each([
    ['a reset', fetchFailed(systemError('ECONNRESET'))],
    ['a socket closed by the other side', fetchFailed(new errors.SocketError('other side closed'))],
    ['a broken pipe', fetchFailed(systemError('EPIPE'))],
    ['a timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError')],
    ['an aborted undici request', new errors.RequestAbortedError()],
    ['an error without a code', new Error('something else')],
    ['a value that is not an error', 'boom'],
  ])('calls %s unknown', (_, error) => {
    expect(classifyOutboundFailure(error)).toBe('unknown');
  });
});
