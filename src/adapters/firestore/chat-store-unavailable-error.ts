import { ChatStoreRejectedError, ChatStoreUnavailableError } from '../chat-store-errors.js';

// Defined beside every chat store adapter; re-exported where the Firestore adapter always had them.
export { ChatStoreRejectedError, ChatStoreUnavailableError };

/** gRPC codes a retry can overcome: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE. */
const TRANSIENT_CODES: ReadonlySet<number> = new Set([4, 8, 10, 14]);
/**
 * INVALID_ARGUMENT: Firestore refused the request itself (an id over 1,500 bytes, a document over
 * 1 MiB); the same request is refused on every redelivery, so retrying it would never end.
 */
const INVALID_ARGUMENT = 3;

export function grpcCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Transient SDK errors become a retryable ChatStoreUnavailableError, INVALID_ARGUMENT a permanent
 * ChatStoreRejectedError; everything else is rethrown as is.
 */
export function translateError(operation: string, error: unknown): never {
  const code = grpcCodeOf(error);
  if (code !== undefined && TRANSIENT_CODES.has(code)) {
    throw new ChatStoreUnavailableError(`chat store ${operation} failed (gRPC code ${code})`, { cause: error });
  }
  if (code === INVALID_ARGUMENT) {
    throw new ChatStoreRejectedError(`chat store ${operation} refused the request as invalid (gRPC code ${code})`, { cause: error });
  }
  throw error;
}
