/**
 * Base of every error the core raises or receives through a port. `code` is stable and mapped to
 * an HTTP status at the edge; `retryable` tells a consumer whether a redelivery can succeed.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
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

export function isRetryable(error: unknown): boolean {
  return error instanceof DomainError ? error.retryable : true;
}
