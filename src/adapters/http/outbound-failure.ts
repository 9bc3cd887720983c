import type { buildConnector } from 'undici';

/**
 * Codes that prove a request never left: no connection was opened (refused, the name did not
 * resolve, the connect timed out). Node's fetch wraps them as `cause`, undici's `request` throws
 * them as they are, and a connection tried on several addresses reports an AggregateError of them.
 */
const BEFORE_SEND = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * `not-sent`: the call failed before a byte of the request went out, so it may be made again.
 * `unknown`: anything else (reset, socket closed after the write, timeout, an error we do not
 * know): the other side may have acted on it, so it must never be repeated.
 */
export type OutboundFailure = 'not-sent' | 'unknown';

/** Classifies why an outbound HTTP call (Graph send, callback, tool call) failed without an answer. */
export function classifyOutboundFailure(error: unknown): OutboundFailure {
  return provablyNotSent(error, 0) ? 'not-sent' : 'unknown';
}

/** Errors a connector reported while opening the connection (TCP connect, TLS handshake). */
const failedToConnect = new WeakSet<object>();

/**
 * Wraps an undici connector so that whatever fails while the connection opens (refused, pinned
 * lookup, TLS handshake, connect timeout) is known not to have sent anything: undici writes a
 * request only on a connection its connector handed over.
 */
export function markingConnectFailures(connect: buildConnector.connector): buildConnector.connector {
  return (options, callback) =>
    connect(options, (error, socket) => {
      if (error) {
        if (typeof error === 'object') failedToConnect.add(error);
        return callback(error, null);
      }
      return callback(null, socket!);
    });
}

function provablyNotSent(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  if (failedToConnect.has(error)) return true;
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.every((inner) => provablyNotSent(inner, depth + 1));
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return BEFORE_SEND.has(code);
  return provablyNotSent((error as { cause?: unknown }).cause, depth + 1);
}
