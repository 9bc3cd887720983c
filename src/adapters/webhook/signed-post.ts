import type { LookupFunction } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import { ReplySendError, SEND_OUTCOME_UNKNOWN } from '../../domain/ports/reply-channel.js';
import { classifyOutboundFailure, markingConnectFailures } from '../http/outbound-failure.js';
import { checkCallback, pinnedLookup, type Resolve } from './address-guard.js';
import { signStandardWebhook } from './standard-webhooks.js';

/**
 * Builds what opens the callback's TCP/TLS connection, given the pinned `lookup` the connection
 * must use. The default is undici's own connector; tests inject a spy.
 */
export type CallbackConnector = (options: { lookup: LookupFunction; timeoutMs: number }) => buildConnector.connector;

export interface SignedPostOptions {
  secret: string;
  /** Hosts a callback may reach although they resolve to private or loopback addresses. */
  allowedHosts: ReadonlySet<string>;
  timeoutMs?: number;
  /** Resolves the callback host (once per send); tests simulate DNS with it. */
  resolve?: Resolve;
  connector?: CallbackConnector;
  now?: () => number;
}

const undiciConnector: CallbackConnector = ({ lookup, timeoutMs }) => buildConnector({ lookup, timeout: timeoutMs, allowH2: false });

/** What a receiver answered: its status and, when asked for, its body up to a size (`tooLarge` beyond). */
export interface SignedAnswer {
  status: number;
  body?: Buffer;
  tooLarge?: boolean;
}

/**
 * POSTs `body` (JSON) to `url`, signed with Standard Webhooks under `webhookId`, and resolves once
 * it answered 2xx. SSRF: the host is resolved once, every address checked, and the connection is
 * pinned to those addresses (its `lookup` never asks DNS again), so a DNS answer that changes
 * between the check and the connection (rebinding) cannot reach a forbidden address. The URL
 * keeps its hostname, so the Host header, TLS SNI and certificate check still use it. Redirects
 * are never followed. Rejects with a `ReplySendError`: `send_outcome_unknown` (never retryable)
 * when the request may have reached the receiver but its answer was lost.
 */
export async function postSignedWebhook(url: URL, webhookId: string, body: string, options: SignedPostOptions): Promise<void> {
  const { status } = await exchangeSignedWebhook(url, webhookId, body, options);
  if (status >= 200 && status < 300) return;
  const retryable = status === 429 || status >= 500;
  throw new ReplySendError(`callback answered ${status}`, retryable, { reason: `callback_http_${status}` });
}

/**
 * The signed POST of `postSignedWebhook`, resolving with whatever status came back. With
 * `maxAnswerBytes` the body is read up to that size (a larger one is cut off and `tooLarge`);
 * a body lost half-way is an answer lost (`send_outcome_unknown`).
 */
export async function exchangeSignedWebhook(url: URL, webhookId: string, body: string, options: SignedPostOptions & { maxAnswerBytes?: number }): Promise<SignedAnswer> {
  const check = await checkCallback(url, options.allowedHosts, options.resolve);
  if (!check.ok) {
    if (check.reason === 'dns-unavailable') {
      throw new ReplySendError('callback host could not be resolved now', true, { cause: check.cause, reason: 'callback_unreachable' });
    }
    throw new ReplySendError('callback URL resolves to a forbidden or unknown address', false, { cause: check.cause, reason: 'callback_url_forbidden' });
  }
  const timestamp = Math.floor((options.now?.() ?? Date.now()) / 1000);
  const timeoutMs = options.timeoutMs ?? 10_000;
  // One agent per send: its only connections are to the addresses checked above.
  const connect = markingConnectFailures((options.connector ?? undiciConnector)({ lookup: pinnedLookup(check.pinned), timeoutMs }));
  const agent = new Agent({ connect, connections: 1 });
  try {
    const response = await request(url, {
      dispatcher: agent,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(options.secret, webhookId, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (options.maxAnswerBytes === undefined) {
      // The status is the answer: a body cut off after it changes nothing.
      await response.body.dump().catch(() => undefined);
      return { status: response.statusCode };
    }
    return { status: response.statusCode, ...(await readUpTo(response.body, options.maxAnswerBytes)) };
  } catch (error) {
    // The receiver may have acted on a callback whose answer was lost: only one that never left is retried.
    throw classifyOutboundFailure(error) === 'not-sent'
      ? new ReplySendError('callback unreachable', true, { cause: error, reason: 'callback_unreachable' })
      : new ReplySendError('callback answer lost (timeout or connection closed); outcome unknown', false, { cause: error, reason: SEND_OUTCOME_UNKNOWN });
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

/** The body up to `maxBytes`; past it, reading stops (the connection is closed with the agent). */
async function readUpTo(body: AsyncIterable<Buffer> & { destroy(): unknown }, maxBytes: number): Promise<{ body: Buffer; tooLarge?: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      return { body: Buffer.alloc(0), tooLarge: true };
    }
    chunks.push(chunk);
  }
  return { body: Buffer.concat(chunks) };
}
