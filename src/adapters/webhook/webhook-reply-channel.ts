import type { LookupFunction } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import type { InboundMessage } from '../../domain/model/message.js';
import { ReplySendError, SEND_OUTCOME_UNKNOWN, type OutboundReply, type ReplyChannel, type ReplyTemplate, type SendResult } from '../../domain/ports/reply-channel.js';
import { classifyOutboundFailure, markingConnectFailures } from '../http/outbound-failure.js';
import { checkCallback, pinnedLookup, type Resolve } from './address-guard.js';
import { signStandardWebhook } from './standard-webhooks.js';

/**
 * Builds what opens the callback's TCP/TLS connection, given the pinned `lookup` the connection
 * must use. The default is undici's own connector; tests inject a spy.
 */
export type CallbackConnector = (options: { lookup: LookupFunction; timeoutMs: number }) => buildConnector.connector;

export interface WebhookReplyOptions {
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

/**
 * Delivers generic-channel replies to the message's `callbackUrl`, signed with Standard Webhooks.
 * The `webhook-id` is stable per reply, so a receiver can drop the duplicates a retry may cause.
 *
 * SSRF: the host is resolved once, every address checked, and the connection is pinned to those
 * addresses (its `lookup` never asks DNS again), so a DNS answer that changes between the check
 * and the connection (rebinding) cannot reach a forbidden address. The URL keeps its hostname, so
 * the Host header, TLS SNI and certificate check still use it. Redirects are never followed.
 */
export class WebhookReplyChannel implements ReplyChannel {
  private readonly connector: CallbackConnector;

  constructor(private readonly options: WebhookReplyOptions) {
    this.connector = options.connector ?? undiciConnector;
  }

  /** Client systems get no read receipts. */
  async acknowledge(_message: InboundMessage): Promise<void> {}

  async sendTemplate(_inReplyTo: InboundMessage, _template: ReplyTemplate): Promise<SendResult> {
    return { kind: 'unsent', reason: 'templates_are_whatsapp_only' };
  }

  async send({ inReplyTo, text, part }: OutboundReply): Promise<SendResult> {
    if (!inReplyTo.callbackUrl) return { kind: 'unsent', reason: 'no_callback_url' };
    const url = new URL(inReplyTo.callbackUrl);
    const check = await checkCallback(url, this.options.allowedHosts, this.options.resolve);
    if (!check.ok) {
      if (check.reason === 'dns-unavailable') {
        throw new ReplySendError('callbackUrl host could not be resolved now', true, { cause: check.cause, reason: 'callback_unreachable' });
      }
      throw new ReplySendError('callbackUrl resolves to a forbidden or unknown address', false, { cause: check.cause, reason: 'callback_url_forbidden' });
    }
    const webhookId = part === 0 ? `reply_${inReplyTo.id}` : `reply_${inReplyTo.id}_${part}`;
    const timestamp = Math.floor((this.options.now?.() ?? Date.now()) / 1000);
    const body = JSON.stringify({
      type: 'message.reply',
      inReplyTo: inReplyTo.id,
      conversationId: inReplyTo.conversationId,
      userId: inReplyTo.participant.id,
      text,
      part,
      metadata: inReplyTo.metadata ?? {},
    });
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    // One agent per send: its only connections are to the addresses checked above.
    const connect = markingConnectFailures(this.connector({ lookup: pinnedLookup(check.pinned), timeoutMs }));
    const agent = new Agent({ connect, connections: 1 });
    let status: number;
    try {
      const response = await request(url, {
        dispatcher: agent,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhookId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook(this.options.secret, webhookId, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.statusCode;
      // The status is the answer: a body cut off after it changes nothing.
      await response.body.dump().catch(() => undefined);
    } catch (error) {
      // The receiver may have acted on a callback whose answer was lost: only one that never left is retried.
      throw classifyOutboundFailure(error) === 'not-sent'
        ? new ReplySendError('callback unreachable', true, { cause: error, reason: 'callback_unreachable' })
        : new ReplySendError('callback answer lost (timeout or connection closed); outcome unknown', false, { cause: error, reason: SEND_OUTCOME_UNKNOWN });
    } finally {
      await agent.destroy().catch(() => undefined);
    }
    if (status >= 200 && status < 300) return { kind: 'sent', outboundIds: [webhookId] };
    const retryable = status === 429 || status >= 500;
    throw new ReplySendError(`callback answered ${status}`, retryable, { reason: `callback_http_${status}` });
  }
}
