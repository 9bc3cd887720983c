import { ValidationError, type PublishError } from '../model/errors.js';
import { apiConversationIdFor, CHANNEL_MESSAGE_ID_RULE, isChannelMessageId } from '../model/ids.js';
import type { InboundMessage } from '../model/message.js';
import type { Clock } from '../ports/clock.js';
import type { MessageBus } from '../ports/message-bus.js';
import { toBusMessage } from './accept-whatsapp-notification.js';

export interface ApiMessageInput {
  /** The verified `webhook-id`: the message id and idempotency key. */
  webhookId: string;
  /** The client account that signed the request. */
  accountId: string;
  userId: string;
  /** The client's own conversation id; defaults to one conversation per user. */
  conversationId?: string;
  text: string;
  metadata?: Record<string, string>;
  callbackUrl?: string;
}

export type AcceptApiMessageError = ValidationError | PublishError;

export const MAX_API_TEXT_LENGTH = 4096;

/** Turns a verified generic-channel request into an inbound message and publishes it. */
export class AcceptApiMessage {
  constructor(
    private readonly bus: MessageBus,
    private readonly clock: Clock,
  ) {}

  async execute(input: ApiMessageInput): Promise<{ messageId: string; conversationId: string }> {
    validate(input);
    const now = this.clock.now();
    const message: InboundMessage = {
      id: input.webhookId,
      channel: 'api',
      accountId: input.accountId,
      conversationId: apiConversationIdFor(input.accountId, input.userId, input.conversationId),
      participant: { id: input.userId },
      content: { type: 'text', body: input.text },
      sentAt: now,
      receivedAt: now,
      ...(input.callbackUrl ? { callbackUrl: input.callbackUrl } : {}),
      ...(input.metadata ? { metadata: input.metadata } : {}),
    };
    await this.bus.publish('inbound', [toBusMessage({ kind: 'message', message })]);
    return { messageId: message.id, conversationId: message.conversationId };
  }
}

function validate(input: ApiMessageInput): void {
  const problems: string[] = [];
  if (!isChannelMessageId(input.webhookId)) problems.push(`webhook-id must be ${CHANNEL_MESSAGE_ID_RULE}`);
  if (!input.userId.trim() || input.userId.length > 256) problems.push('userId must be 1–256 characters');
  if (input.conversationId !== undefined && (!input.conversationId.trim() || input.conversationId.length > 256)) {
    problems.push('conversationId must be 1–256 characters');
  }
  if (!input.text.trim()) problems.push('text must not be empty');
  if ([...input.text].length > MAX_API_TEXT_LENGTH) problems.push(`text must be at most ${MAX_API_TEXT_LENGTH} characters`);
  if (input.callbackUrl !== undefined && !isHttpUrl(input.callbackUrl)) problems.push('callbackUrl must be an http(s) URL');
  if (problems.length > 0) throw new ValidationError(problems.join('; '));
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:';
}
