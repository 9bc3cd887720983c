import { ReplySendError, type OutboundReply, type ReplyChannel, type SendResult } from '../../domain/ports/reply-channel.js';
import { classifyGraphError } from './graph-errors.js';

export interface WhatsAppGraphOptions {
  baseUrl: string;
  apiVersion: string;
  accessToken: string;
  /** Per request; past it the outcome is unknown and the reply is not resent. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Sends replies through the WhatsApp Cloud API (`POST /{version}/{phone_number_id}/messages`). */
export class WhatsAppGraphReplyChannel implements ReplyChannel {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: WhatsAppGraphOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async send({ inReplyTo, text }: OutboundReply): Promise<SendResult> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/${this.options.apiVersion}/${encodeURIComponent(inReplyTo.accountId)}/messages`;
    const body = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: inReplyTo.participant.id,
      type: 'text',
      text: { body: text, preview_url: false },
      context: { message_id: inReplyTo.id },
    };
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      // A timeout may come after Meta accepted the message: never resend blindly.
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw timedOut
        ? new ReplySendError('WhatsApp send timed out; outcome unknown', false, { cause: error, reason: 'send-outcome-unknown' })
        : new ReplySendError('WhatsApp API unreachable', true, { cause: error, reason: 'whatsapp-unreachable' });
    }
    let payload: GraphResponse | undefined;
    try {
      payload = (await response.json()) as GraphResponse;
    } catch (error) {
      // Accepted but the answer was cut off: Meta may have sent it, so it is never resent.
      if (response.ok) throw new ReplySendError('WhatsApp answer unreadable; outcome unknown', false, { cause: error, reason: 'send-outcome-unknown' });
    }
    if (response.ok && payload?.messages?.[0]?.id) return { kind: 'sent', outboundIds: payload.messages.map((m) => m.id) };
    const { retryable, reason } = classifyGraphError(response.status, payload?.error?.code);
    throw new ReplySendError(`WhatsApp API answered ${response.status} (code ${payload?.error?.code ?? 'none'})`, retryable, { reason });
  }
}

interface GraphResponse {
  messages?: { id: string }[];
  error?: { code?: number; message?: string };
}
