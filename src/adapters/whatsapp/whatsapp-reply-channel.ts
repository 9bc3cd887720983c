import type { InboundMessage } from '../../domain/model/message.js';
import {
  ReplySendError,
  SEND_OUTCOME_UNKNOWN,
  type OutboundReply,
  type ReplyChannel,
  type ReplyTemplate,
  type SendResult,
} from '../../domain/ports/reply-channel.js';
import { errorFields, type Logger } from '../../observability/logger.js';
import { classifyOutboundFailure } from '../http/outbound-failure.js';
import { classifyGraphError, TOKEN_EXPIRED } from './graph-errors.js';
import { agentOpaqueDataOf, opaqueDataOf } from './opaque-callback-data.js';

export interface WhatsAppGraphOptions {
  baseUrl: string;
  apiVersion: string;
  accessToken: string;
  logger: Logger;
  /** Per request; past it the outcome is unknown and the reply is not resent. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const ACKNOWLEDGE_TIMEOUT_MS = 3_000;

const withOpaque = (opaque: string | undefined) => (opaque ? { biz_opaque_callback_data: opaque } : {});

interface GraphResponse {
  messages?: { id: string }[];
  error?: { code?: number; message?: string; fbtrace_id?: string };
}

/** Sends replies through the WhatsApp Cloud API (`POST /{version}/{phone_number_id}/messages`). */
export class WhatsAppGraphReplyChannel implements ReplyChannel {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: WhatsAppGraphOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  send({ inReplyTo, text, part, parts, agent }: OutboundReply): Promise<SendResult> {
    // A person's reply names itself, not the message the bot answers: its statuses must not settle the bot's reply.
    const opaque = agent ? agentOpaqueDataOf(agent.replyId) : opaqueDataOf({ kind: 'reply', messageId: inReplyTo.id, part, parts: parts ?? part + 1 });
    return this.post(inReplyTo, {
      recipient_type: 'individual',
      to: inReplyTo.participant.id,
      type: 'text',
      text: { body: text, preview_url: false },
      // The first part quotes the message it answers; the following parts simply continue (a person's reply quotes nothing).
      ...(part === 0 && !agent ? { context: { message_id: inReplyTo.id } } : {}),
      // Echoed in the send's statuses: they name our message even if this request's answer is lost.
      ...(opaque ? { biz_opaque_callback_data: opaque } : {}),
    });
  }

  sendTemplate(inReplyTo: InboundMessage, template: ReplyTemplate): Promise<SendResult> {
    return this.post(inReplyTo, {
      recipient_type: 'individual',
      to: inReplyTo.participant.id,
      type: 'template',
      template: { name: template.name, language: { code: template.language } },
      ...withOpaque(opaqueDataOf({ kind: 'template', messageId: inReplyTo.id })),
    });
  }

  /** Read receipt plus typing indicator (shown up to 25 s or until the reply arrives). */
  async acknowledge(message: InboundMessage, { typing = true }: { typing?: boolean } = {}): Promise<void> {
    try {
      // Short: the reply waits for this call, and a read receipt is not worth holding it up.
      const timeoutMs = Math.min(this.options.timeoutMs ?? ACKNOWLEDGE_TIMEOUT_MS, ACKNOWLEDGE_TIMEOUT_MS);
      await this.post(message, { status: 'read', message_id: message.id, ...(typing ? { typing_indicator: { type: 'text' } } : {}) }, timeoutMs);
    } catch (error) {
      this.options.logger.warn('whatsapp read receipt not sent', { messageId: message.id, ...errorFields(error) });
    }
  }

  private async post(inReplyTo: InboundMessage, body: Record<string, unknown>, timeoutMs = this.options.timeoutMs ?? 15_000): Promise<SendResult> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/${this.options.apiVersion}/${encodeURIComponent(inReplyTo.accountId)}/messages`;
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messaging_product: 'whatsapp', ...body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // Sends carry no idempotency key: only a request that provably never left may be made again.
      throw classifyOutboundFailure(error) === 'not-sent'
        ? new ReplySendError('WhatsApp API unreachable', true, { cause: error, reason: 'whatsapp_unreachable' })
        : new ReplySendError('WhatsApp answer lost (timeout or connection closed); outcome unknown', false, { cause: error, reason: SEND_OUTCOME_UNKNOWN });
    }
    let payload: GraphResponse | undefined;
    try {
      payload = (await response.json()) as GraphResponse;
    } catch (error) {
      // Accepted but the answer was cut off: Meta may have sent it, so it is never resent.
      if (response.ok) throw new ReplySendError('WhatsApp answer unreadable; outcome unknown', false, { cause: error, reason: SEND_OUTCOME_UNKNOWN });
    }
    if (response.ok && 'status' in body) return { kind: 'sent', outboundIds: [] };
    if (response.ok && payload?.messages?.[0]?.id) return { kind: 'sent', outboundIds: payload.messages.map((m) => m.id) };
    const code = payload?.error?.code;
    const { retryable, reason } = classifyGraphError(response.status, code);
    if (code === TOKEN_EXPIRED) {
      this.options.logger.error('WHATSAPP ACCESS TOKEN EXPIRED OR INVALID: no reply can be sent until WHATSAPP_ACCESS_TOKEN is renewed', {
        phoneNumberId: inReplyTo.accountId,
        fbtraceId: payload?.error?.fbtrace_id,
      });
    }
    throw new ReplySendError(`WhatsApp API answered ${response.status} (code ${code ?? 'none'})`, retryable, { reason });
  }
}
