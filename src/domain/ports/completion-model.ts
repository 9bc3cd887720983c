import { DomainError } from '../model/errors.js';
import type { TokenUsage } from '../model/reply.js';
import type { ModelFailureReason } from '../model/reasons.js';
import type { ChannelProvider } from '../model/channel-settings.js';

/**
 * One turn of the prompt. An assistant turn may carry the tool calls the model made (`toolCalls`);
 * each is answered by a `tool` turn naming it (`toolCallId`) whose content is the tool's JSON answer.
 */
export interface ChatTurn {
  role: 'user' | 'assistant' | 'tool';
  content: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
}

/** A function the model may call instead of answering (OpenAI function calling). */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

/** A call the model asked for; `arguments` as it gave them (parsed JSON, or the raw text when not JSON). */
export interface ToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

export interface CompletionRequest {
  /** Operator instructions only; user content never goes here. */
  systemPrompt: string;
  /** History then the message to answer, oldest first, ending with a user turn. */
  turns: ChatTurn[];
  maxTokens: number;
  model?: string;
  /** The provider the channel chose; absent: the configured one. */
  provider?: ChannelProvider;
  temperature?: number;
  /** Functions the model may call; absent or empty: none. */
  tools?: ToolSpec[];
}

export interface Completion {
  /** The answer; may be empty when the model called a tool instead. */
  text: string;
  model: string;
  usage: TokenUsage;
  /** The tools the model called, when it did. */
  toolCalls?: ToolCall[];
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
