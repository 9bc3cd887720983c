import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionError, type ChatTurn, type CompletionModel, type CompletionRequest } from '../../src/domain/ports/completion-model.js';

/** A model plus the test-side controls of the server behind it (the OpenAI double, or the fake's script). */
export interface CompletionModelUnderTest {
  model: CompletionModel;
  /** What the model was asked in its last call: the system prompt first, then the turns, as it sent them. */
  lastPrompt(): readonly { role: string; content: string }[];
  /** The server fails the next call for now (503): worth trying again. */
  failNextTransiently(): void;
  /** The server refuses the next call (400): trying again cannot help. */
  refuseNext(): void;
  /** The next call takes far longer than any test's budget (it still answers in the end). */
  slowNext(): void;
  cleanup?: () => Promise<void>;
}

const request = (turns: ChatTurn[] = [{ role: 'user', content: `Do you ship to Porto? ${randomBytes(4).toString('hex')}` }]): CompletionRequest => ({
  systemPrompt: 'You are the support assistant of Acme.',
  turns,
  maxTokens: 128,
});

async function completionError(promise: Promise<unknown>): Promise<CompletionError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a CompletionError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(CompletionError);
  return outcome.error as CompletionError;
}

/**
 * The shared cases every CompletionModel implementation must pass: what a completion carries (text,
 * model, token usage), what the model is shown, and that every failure is a `CompletionError` whose
 * `retryable` says whether trying again can help, within the caller's `timeoutMs` or signal.
 */
export function completionModelContract(name: string, make: () => Promise<CompletionModelUnderTest>): void {
  describe(name, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });

    async function aModel(): Promise<CompletionModelUnderTest> {
      const harness = await make();
      if (harness.cleanup) cleanups.push(harness.cleanup);
      return harness;
    }

    it('answers with text, the model name and whole-number token usage when the call succeeds', async () => {
      const h = await aModel();

      const completion = await h.model.complete(request());

      expect(completion.text).toMatch(/\S/);
      expect(completion.model).toMatch(/\S/);
      for (const tokens of [completion.usage.prompt, completion.usage.completion]) {
        expect(Number.isInteger(tokens)).toBe(true);
        expect(tokens).toBeGreaterThan(0);
      }
    });

    it('shows the model the system prompt first, then every turn in order, when a conversation has history', async () => {
      const h = await aModel();
      const turns: ChatTurn[] = [
        { role: 'user', content: 'Hi, do you ship to Lisbon?' },
        { role: 'assistant', content: 'Yes, in 3 days.' },
        { role: 'user', content: `And to Porto? ${randomBytes(4).toString('hex')}` },
      ];

      await h.model.complete(request(turns));

      expect(h.lastPrompt()).toEqual([{ role: 'system', content: 'You are the support assistant of Acme.' }, ...turns]);
    });

    it('rejects a retryable CompletionError when the server fails for now', async () => {
      const h = await aModel();
      h.failNextTransiently();

      expect((await completionError(h.model.complete(request()))).retryable).toBe(true);
    });

    it('rejects a non-retryable CompletionError when the server refuses the request', async () => {
      const h = await aModel();
      h.refuseNext();

      expect((await completionError(h.model.complete(request()))).retryable).toBe(false);
    });

    it('rejects a retryable CompletionError within the budget when the call outlasts timeoutMs', async () => {
      const h = await aModel();
      h.slowNext();

      const started = performance.now();
      const error = await completionError(h.model.complete(request(), { timeoutMs: 150 }));

      expect(error.retryable).toBe(true);
      expect(performance.now() - started).toBeLessThan(1_500);
    });

    it('rejects a retryable CompletionError promptly when the caller aborts the call', async () => {
      const h = await aModel();
      h.slowNext();
      const caller = new AbortController();

      const started = performance.now();
      const call = h.model.complete(request(), { signal: caller.signal });
      setTimeout(() => caller.abort(), 50);
      const error = await completionError(call);

      expect(error.retryable).toBe(true);
      expect(performance.now() - started).toBeLessThan(1_500);
    });
  });
}
