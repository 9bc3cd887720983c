import { CompletionError, type Completion, type CompletionModel, type CompletionRequest } from '../../domain/ports/completion-model.js';

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

    // Every user turn since the last reply (a folded burst is several), so tests can see what was answered.
    const lastReply = request.turns.findLastIndex((turn) => turn.role === 'assistant');
    const asked = request.turns.slice(lastReply + 1).map((turn) => `"${clip(turn.content)}"`);
    const userTurns = request.turns.filter((turn) => turn.role === 'user').length;
    const text = `[VocoEng scripted model, not an AI] You said: ${asked.join(' / ') || '""'} (message ${userTurns} of this conversation).`;
    const promptChars = request.systemPrompt.length + request.turns.reduce((sum, turn) => sum + turn.content.length, 0);
    return {
      text,
      model: SCRIPTED_MODEL_NAME,
      // A deterministic estimate (4 characters per token): the scripted model has no tokenizer.
      usage: { prompt: Math.ceil(promptChars / 4), completion: Math.ceil(text.length / 4) },
    };
  }
}

/** The caller's signal and its budget, whichever ends first. */
function deadlineSignal({ signal, timeoutMs }: { signal?: AbortSignal; timeoutMs?: number }): AbortSignal | undefined {
  const signals = [signal, timeoutMs !== undefined ? AbortSignal.timeout(Math.max(1, timeoutMs)) : undefined].filter((s): s is AbortSignal => s !== undefined);
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}

function clip(text: string): string {
  const chars = [...text];
  return chars.length > 200 ? `${chars.slice(0, 200).join('')}…` : text;
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
