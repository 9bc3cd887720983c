import { DomainError } from '../domain/model/errors.js';

/** The chat store (Firestore, PostgreSQL) could not be reached or was too contended right now; a redelivery may succeed. */
export class ChatStoreUnavailableError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('chat_store_unavailable', message, true, options);
  }
}

/** The chat store refused the request as invalid: permanent, a redelivery would be refused again. */
export class ChatStoreRejectedError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('chat_store_rejected', message, false, options);
  }
}
