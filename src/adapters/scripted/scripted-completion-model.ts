import { CompletionError, type Completion, type CompletionModel, type CompletionRequest, type ToolCall } from '../../domain/ports/completion-model.js';

export const SCRIPTED_MODEL_NAME = 'scripted-echo-v1';

export interface ScriptedFailure {
  retryable: boolean;
  message?: string;
}

/**
 * A deterministic stand-in for a real model, for local runs and tests. Every reply says it comes
 * from the scripted model, so nobody mistakes it for an AI. It can be told to fail or to be slow,
 * and it keeps the requests it received.
 */
export class ScriptedCompletionModel implements CompletionModel {
  readonly requests: CompletionRequest[] = [];
  private failures: ScriptedFailure[] = [];
  private delayMs = 0;

  /** The next `count` calls reject with a `CompletionError`. */
  failNext(count: number, failure: ScriptedFailure = { retryable: true }): this {
    this.failures.push(...Array.from({ length: count }, () => failure));
    return this;
  }

  /** Every call waits this long before answering (and honours the abort signal meanwhile). */
  slowBy(ms: number): this {
    this.delayMs = ms;
    return this;
  }

  get calls(): number {
    return this.requests.length;
  }

  async complete(request: CompletionRequest, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Completion> {
    this.requests.push(structuredClone(request));
    if (this.delayMs > 0) await wait(this.delayMs, deadlineSignal(options));
    const failure = this.failures.shift();
    if (failure) throw new CompletionError(failure.message ?? 'scripted model failure', failure.retryable);

    const promptChars = request.systemPrompt.length + request.turns.reduce((sum, turn) => sum + turn.content.length, 0);
    // `[[tool:NAME {json}]]` in the user's last message calls that tool, when it is offered (CONTRACT.md).
    const call = toolCallIn(request);
    if (call) return { text: '', model: SCRIPTED_MODEL_NAME, usage: { prompt: Math.ceil(promptChars / 4), completion: 8 }, toolCalls: [call] };
    // After a tool round, the answer quotes what each tool gave back (its JSON, or why there is none).
    const quoted = toolAnswersIn(request);
    if (quoted) return { text: quoted, model: SCRIPTED_MODEL_NAME, usage: { prompt: Math.ceil(promptChars / 4), completion: Math.ceil(quoted.length / 4) } };
    // Every user turn since the last reply (a folded burst is several), so tests can see what was answered.
    const lastReply = request.turns.findLastIndex((turn) => turn.role === 'assistant');
    const asked = request.turns.slice(lastReply + 1).map((turn) => `"${clip(turn.content)}"`);
    const userTurns = request.turns.filter((turn) => turn.role === 'user').length;
    const text = `[VocoEng scripted model, not an AI] You said: ${asked.join(' / ') || '""'} (message ${userTurns} of this conversation).`;
    return {
      text,
      model: SCRIPTED_MODEL_NAME,
      // A deterministic estimate (4 characters per token): the scripted model has no tokenizer.
      usage: { prompt: Math.ceil(promptChars / 4), completion: Math.ceil(text.length / 4) },
    };
  }
}

const TOOL_SYNTAX = /\[\[tool:([A-Za-z0-9_-]{1,64})(?:\s+(\{[\s\S]*?\}))?\]\]/;

/** The tool call the last user turn asks for, when that tool is offered; its id is stable for the same request. */
function toolCallIn(request: CompletionRequest): ToolCall | undefined {
  const last = request.turns.at(-1);
  const match = last?.role === 'user' ? TOOL_SYNTAX.exec(last.content) : null;
  if (!match || !request.tools?.some((tool) => tool.name === match[1])) return undefined;
  let args: unknown = {};
  try {
    args = match[2] ? (JSON.parse(match[2]) as unknown) : {};
  } catch {
    args = match[2];
  }
  return { id: `call_scripted_${request.turns.length}`, name: match[1]!, arguments: args };
}

/** When the prompt ends with tool answers: a reply quoting each (`The tool NAME answered: {json}`). */
function toolAnswersIn(request: CompletionRequest): string | undefined {
  const calling = request.turns.findLastIndex((turn) => turn.role === 'assistant' && (turn.toolCalls?.length ?? 0) > 0);
  if (calling < 0 || request.turns.at(-1)?.role !== 'tool') return undefined;
  const names = new Map(request.turns[calling]!.toolCalls!.map((call) => [call.id, call.name]));
  const answers = request.turns.slice(calling + 1).filter((turn) => turn.role === 'tool');
  return `[VocoEng scripted model, not an AI] ${answers.map((turn) => `The tool ${names.get(turn.toolCallId ?? '') ?? 'unknown'} answered: ${clip(turn.content, 1_000)}`).join(' / ')}`;
}

/** The caller's signal and its budget, whichever ends first. */
function deadlineSignal({ signal, timeoutMs }: { signal?: AbortSignal; timeoutMs?: number }): AbortSignal | undefined {
  const signals = [signal, timeoutMs !== undefined ? AbortSignal.timeout(Math.max(1, timeoutMs)) : undefined].filter((s): s is AbortSignal => s !== undefined);
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}

function clip(text: string, max = 200): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CompletionError('scripted model call aborted (timeout)', true));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
