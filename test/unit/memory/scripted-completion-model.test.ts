import { describe, expect, it } from 'vitest';
import { SCRIPTED_MODEL_NAME, ScriptedCompletionModel } from '../../../src/adapters/scripted/scripted-completion-model.js';
import { CompletionError, type CompletionRequest } from '../../../src/domain/ports/completion-model.js';

const request = (text: string): CompletionRequest => ({ systemPrompt: 'sys', turns: [{ role: 'user', content: text }], maxTokens: 50 });

describe('ScriptedCompletionModel', () => {
  it('answers deterministically, says it is not an AI and keeps the request when called', async () => {
    const model = new ScriptedCompletionModel();
    const first = await model.complete(request('hello'));
    const second = await model.complete(request('hello'));

    expect(first).toEqual(second);
    expect(first.model).toBe(SCRIPTED_MODEL_NAME);
    expect(first.text).toContain('not an AI');
    expect(first.text).toContain('hello');
    expect(first.usage.prompt).toBeGreaterThan(0);
    expect(model.requests).toEqual([request('hello'), request('hello')]);
  });

  it('rejects the next calls with CompletionErrors of the given kind when told to fail', async () => {
    const model = new ScriptedCompletionModel().failNext(1, { retryable: false, message: 'policy' }).failNext(1);

    await expect(model.complete(request('a'))).rejects.toMatchObject({ constructor: CompletionError, retryable: false, message: 'policy' });
    await expect(model.complete(request('b'))).rejects.toMatchObject({ retryable: true });
    await expect(model.complete(request('c'))).resolves.toMatchObject({ model: SCRIPTED_MODEL_NAME });
    expect(model.calls).toBe(3);
  });

  it('rejects with a retryable CompletionError when a slow call is aborted', async () => {
    const model = new ScriptedCompletionModel().slowBy(1_000);
    await expect(model.complete(request('slow'), { signal: AbortSignal.timeout(10) })).rejects.toMatchObject({ constructor: CompletionError, retryable: true });
  });
});
