import { DomainError } from '../model/errors.js';
import type { TokenUsage } from '../model/reply.js';
import type { ModelFailureReason } from '../model/reasons.js';

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface CompletionRequest {
  /** Operator instructions only; user content never goes here. */
  systemPrompt: string;
  /** History then the message to answer, oldest first, ending with a user turn. */
  turns: ChatTurn[];
  maxTokens: number;
  model?: string;
  temperature?: number;
}

export interface Completion {
  text: string;
  model: string;
  usage: TokenUsage;
}

/** Produces the assistant's next turn of a conversation. */
export interface CompletionModel {
  /**
   * Rejects with a `CompletionError` whose `retryable` says whether trying again can help.
   * `timeoutMs` bounds the whole call, retries included (what remains of the caller's lease).
   */
  complete(request: CompletionRequest, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<Completion>;
}

export class CompletionError extends DomainError {
  /** `reason` is recorded as the failure reason (default `completion_failed`). */
  constructor(message: string, retryable: boolean, options: { cause?: unknown; reason?: ModelFailureReason } = {}) {
    super('completion_failed', message, retryable, options);
  }
}
