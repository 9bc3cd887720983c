import { DomainError } from '../../domain/model/errors.js';

/** gRPC codes a retry can overcome: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE. */
const TRANSIENT_CODES: ReadonlySet<number> = new Set([4, 8, 10, 14]);

/** Firestore could not be reached or was too contended right now; a redelivery may succeed. */
export class ChatStoreUnavailableError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('chat_store_unavailable', message, true, options);
  }
}

export function grpcCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Transient SDK errors become a retryable ChatStoreUnavailableError; everything else is rethrown as is. */
export function translateError(operation: string, error: unknown): never {
  const code = grpcCodeOf(error);
  if (code !== undefined && TRANSIENT_CODES.has(code)) {
    throw new ChatStoreUnavailableError(`chat store ${operation} failed (gRPC code ${code})`, { cause: error });
  }
  throw error;
}
