import type { ChannelTool, ToolFailureReason } from '../model/tool-call.js';

export interface ToolRequest {
  tool: ChannelTool;
  /** Unique per call: the request's idempotency key on the wire (`webhook-id`). */
  callId: string;
  conversationId: string;
  arguments: unknown;
}

/**
 * How one call ended. `ok`: the tool answered 2xx with JSON (`answer`, re-serialised, within the
 * size cap). `failed`: a known failure (refused before it left, an error status, an unusable
 * answer). `unknown`: the request may have reached the tool but its answer was lost.
 */
export type ToolAnswer = { outcome: 'ok'; answer: string } | { outcome: 'failed' | 'unknown'; reason: ToolFailureReason };

/** Calls a channel's HTTP tool once. Never rejects: every way a call can end is an answer. */
export interface ToolRunner {
  call(request: ToolRequest, options: { timeoutMs: number }): Promise<ToolAnswer>;
}
