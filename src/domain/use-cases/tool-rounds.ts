import { toolCallIdFor } from '../model/ids.js';
import { callsOf, toolResultFor, type ChannelTool, type ToolCallRecord, type ToolRound } from '../model/tool-call.js';
import type { ArgumentSchemas } from '../ports/argument-schemas.js';
import type { Clock } from '../ports/clock.js';
import type { ChatTurn, Completion, ToolCall, ToolSpec } from '../ports/completion-model.js';
import type { ToolRunner } from '../ports/tool-runner.js';
import type { LeaseBudget } from './lease-budget.js';

/** Rounds of tool calls one reply may make; the model answers without tools after the last. */
export const TOOL_ROUNDS_MAX = 3;
/** Calls one completion may ask for; the ones past it are not made (`tool_calls_over_limit`). */
export const TOOL_CALLS_PER_ROUND = 5;
/** How long a tool may take when its settings do not say. */
export const DEFAULT_TOOL_TIMEOUT_MS = 10_000;

/** What makes and checks tool calls. */
export interface ToolKit {
  runner: ToolRunner;
  schemas: ArgumentSchemas;
}

/**
 * Where a reply's rounds are stored: on its message, compare-and-set under the lease. `save`
 * rejects with MessageInProgressError when another delivery took the message over meanwhile.
 */
export interface ToolLedger {
  readonly rounds: readonly ToolRound[];
  save(rounds: ToolRound[]): Promise<void>;
}

export const toolSpecsOf = (tools: readonly ChannelTool[]): ToolSpec[] => tools.map(({ name, description, parameters }) => ({ name, description, parameters }));

/**
 * Calls an earlier delivery recorded but whose answers it never stored (it crashed, or lost its
 * lease, after the request may have left): their outcome is unknown, and they are never made again.
 * Null when there are none.
 */
export function abandonedSettled(rounds: readonly ToolRound[]): ToolRound[] | null {
  if (!callsOf(rounds).some((call) => call.state === 'calling')) return null;
  return rounds.map((round) => ({
    ...round,
    calls: round.calls.map((call): ToolCallRecord => (call.state === 'calling' ? { ...call, state: 'unknown', reason: 'tool_outcome_unknown' } : call)),
  }));
}

/** The stored rounds as the model sees them again: its calls, each followed by what came of it. */
export function toolTurns(rounds: readonly ToolRound[]): ChatTurn[] {
  return rounds.flatMap((round) => [
    { role: 'assistant' as const, content: round.text, toolCalls: round.calls.map((call): ToolCall => ({ id: call.modelCallId, name: call.name, arguments: call.arguments })) },
    ...round.calls.map((call): ChatTurn => ({ role: 'tool', toolCallId: call.modelCallId, content: toolResultFor(call) })),
  ]);
}

/**
 * The calls a completion asked for, each recorded `calling` (to be made) or `invalid` (never made:
 * a tool the channel does not offer, arguments its schema refuses, past the round's limit).
 */
export function plannedRound(
  completion: Completion,
  calls: readonly ToolCall[],
  tools: readonly ChannelTool[],
  schemas: ArgumentSchemas,
  ids: { conversationId: string; messageId: string; earlier: number },
  now: number,
): ToolRound {
  const planned = calls.map((call, index): ToolCallRecord => {
    const base = { callId: toolCallIdFor(ids.conversationId, ids.messageId, ids.earlier + index), modelCallId: call.id, name: call.name, arguments: call.arguments, startedAt: now };
    const tool = tools.find((candidate) => candidate.name === call.name);
    if (!tool) return { ...base, state: 'invalid', reason: 'tool_unknown', answer: `There is no tool named ${JSON.stringify(call.name)}.` };
    if (index >= TOOL_CALLS_PER_ROUND) return { ...base, state: 'invalid', reason: 'tool_calls_over_limit', answer: `At most ${TOOL_CALLS_PER_ROUND} tools may be called at once.` };
    const problems = schemas.problems(tool.parameters, call.arguments);
    if (problems.length > 0) return { ...base, state: 'invalid', reason: 'tool_arguments_invalid', answer: `The arguments do not fit the tool's schema: ${problems.join('; ')}` };
    return { ...base, state: 'calling' };
  });
  return { model: completion.model, usage: completion.usage, text: completion.text, calls: planned };
}

/**
 * Makes the round's `calling` calls, side by side, each within its timeout and what remains of the
 * lease, and returns the round with what came of each. Nothing is stored here.
 */
export async function madeRound(
  runner: ToolRunner,
  round: ToolRound,
  tools: readonly ChannelTool[],
  conversationId: string,
  budget: LeaseBudget,
  clock: Clock,
): Promise<ToolRound> {
  // Read once, before any request leaves: a lease with no time left stops the round before it starts.
  const remainingMs = budget.remainingMs();
  const calls = await Promise.all(
    round.calls.map(async (call): Promise<ToolCallRecord> => {
      const tool = tools.find((candidate) => candidate.name === call.name);
      if (call.state !== 'calling' || !tool) return call;
      const timeoutMs = Math.min(tool.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS, remainingMs);
      const started = clock.now();
      const answer = await runner.call({ tool, callId: call.callId, conversationId, arguments: call.arguments }, { timeoutMs });
      const latencyMs = Math.max(0, clock.now() - started);
      return answer.outcome === 'ok' ? { ...call, state: 'ok', latencyMs, answer: answer.answer } : { ...call, state: answer.outcome, latencyMs, reason: answer.reason };
    }),
  );
  return { ...round, calls };
}
