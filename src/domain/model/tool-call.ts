import type { TokenUsage } from './reply.js';

/**
 * An HTTP tool a channel offers the model (CONTRACT.md, "Tools the model may call"): the worker
 * POSTs `{tool, arguments, callId, conversationId}` to `url`, signed, and gives the JSON answer back.
 */
export interface ChannelTool {
  /** What the model calls it: 1–64 letters, digits, `_` or `-`. */
  name: string;
  description: string;
  /** JSON Schema of the arguments (an object schema); arguments are checked against it before the call. */
  parameters: Record<string, unknown>;
  url: string;
  /** How long the tool may take to answer (default TOOL_TIMEOUT_MS), within what remains of the lease. */
  timeoutMs?: number;
}

/**
 * One call's progress. `calling` is stored before the request leaves; the answer (or why there is
 * none) is stored before the model sees it. `unknown`: the request may have reached the tool but
 * its answer was lost (timeout, reset, a crash before it was stored): never repeated. `invalid`:
 * never made (no such tool, arguments that do not fit its schema, over the round's call limit).
 */
export const TOOL_CALL_STATES = ['calling', 'ok', 'failed', 'unknown', 'invalid'] as const;
export type ToolCallState = (typeof TOOL_CALL_STATES)[number];

/** How a call ended, as counted in analytics. */
export type ToolCallOutcome = Exclude<ToolCallState, 'calling'>;
export const TOOL_CALL_OUTCOMES = ['ok', 'failed', 'unknown', 'invalid'] as const satisfies readonly ToolCallOutcome[];

/** Why a call failed or was not made (an HTTP status as `tool_http_<status>`). */
export const TOOL_FAILURE_REASONS = [
  'tool_unknown',
  'tool_not_configured',
  'tool_arguments_invalid',
  'tool_calls_over_limit',
  'tool_url_forbidden',
  'tool_unreachable',
  'tool_outcome_unknown',
  'tool_answer_too_large',
  'tool_answer_not_json',
] as const;
export type ToolFailureReason = (typeof TOOL_FAILURE_REASONS)[number] | `tool_http_${number}`;

export interface ToolCallRecord {
  /** Ours, unique per message and call: the `webhook-id` of the request, so a tool can deduplicate too. */
  callId: string;
  /** The id the model gave the call (`tool_call_id` of its answer turn). */
  modelCallId: string;
  name: string;
  /** As the model gave them (parsed JSON, or the raw text when it was not JSON). */
  arguments: unknown;
  state: ToolCallState;
  startedAt: number;
  /** From the request leaving to its answer (or its loss). */
  latencyMs?: number;
  /** The tool's JSON answer (at most TOOL_ANSWER_MAX_BYTES), stored before the model sees it. */
  answer?: string;
  reason?: ToolFailureReason;
}

/** One completion that asked for tools, with the calls it asked for: replayed to the model on resumption. */
export interface ToolRound {
  model: string;
  usage: TokenUsage;
  /** What the model said beside its calls (usually nothing). */
  text: string;
  calls: ToolCallRecord[];
}

/** A tool's answer larger than this is not given to the model (it is untrusted input). */
export const TOOL_ANSWER_MAX_BYTES = 16 * 1024;

/** What the model is told of a call: the tool's answer, or why there is none, as JSON. */
export function toolResultFor(call: ToolCallRecord): string {
  switch (call.state) {
    case 'ok':
      return call.answer ?? 'null';
    case 'unknown':
    case 'calling':
      return JSON.stringify({ error: 'outcome_unknown', detail: 'The request may have reached the tool, but its answer was lost. It was not repeated; do not assume it succeeded or failed.' });
    case 'invalid':
      return JSON.stringify({ error: call.reason ?? 'tool_arguments_invalid', detail: call.answer ?? 'The call was not made.' });
    case 'failed':
      return JSON.stringify({ error: call.reason ?? 'tool_failed', detail: 'The tool could not answer; the call was not made again.' });
  }
}

/** Every call of the rounds, in order. */
export const callsOf = (rounds: readonly ToolRound[] | undefined): ToolCallRecord[] => (rounds ?? []).flatMap((round) => round.calls);
