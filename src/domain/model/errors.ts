import type { FailureReason } from './reasons.js';

/**
 * Every code a `DomainError` may carry: the kind of error, stable on the wire (API error bodies,
 * logs) and mapped exhaustively to an HTTP status at the edge. snake_case, like every wire code.
 */
export const DOMAIN_ERROR_CODES = [
  'validation_failed',
  'conversation_not_found',
  'admin_email_taken',
  'publish_failed',
  'message_in_progress',
  'lease_exhausted',
  'secrets_unreadable',
  'chat_store_unavailable',
  'chat_store_rejected',
  'completion_failed',
  'reply_send_failed',
  'media_download_failed',
  'transcription_failed',
  'conversation_not_taken_over',
  'outside_service_window',
  'no_window_template',
  'idempotency_key_reused',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/**
 * Base of every error the core raises or receives through a port. `code` is stable and mapped to
 * an HTTP status at the edge; `retryable` tells a consumer whether a redelivery can succeed;
 * `reason` is what a failure caused by it is recorded as (finer than `code`, e.g. `model_timeout`).
 */
export class DomainError extends Error {
  readonly reason: FailureReason;

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; reason?: FailureReason },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.reason = options?.reason ?? code;
  }
}

export class ValidationError extends DomainError {
  constructor(message: string) {
    super('validation_failed', message, false);
  }
}

/**
 * Another delivery holds a live lease on this message, or an earlier message of its conversation
 * goes first; try again later. `awaits: 'fold'`: an earlier message still being answered will
 * fold this one into its reply, so the redelivery only has to record it (no need to hold on to it).
 */
export class MessageInProgressError extends DomainError {
  constructor(
    messageId: string,
    readonly awaits: 'turn' | 'fold' = 'turn',
  ) {
    super('message_in_progress', `message ${messageId} is being processed by another delivery`, true);
  }
}

export class PublishError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('publish_failed', message, true, options);
  }
}

/** Why an agent reply (human handoff) is refused: the conversation's state does not allow it now. */
export class AgentReplyRefusedError extends DomainError {
  constructor(code: 'conversation_not_taken_over' | 'outside_service_window' | 'no_window_template' | 'idempotency_key_reused', message: string) {
    super(code, message, false);
  }
}

export class ConversationNotFoundError extends DomainError {
  constructor(conversationId: string) {
    super('conversation_not_found', `conversation ${conversationId} does not exist`, false);
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof DomainError ? error.retryable : true;
}
