import { ScriptedCompletionModel } from '../../src/adapters/scripted/scripted-completion-model.js';
import { completionModelContract } from './completion-model.contract.js';

completionModelContract('ScriptedCompletionModel', async () => {
  const model = new ScriptedCompletionModel();
  return {
    model,
    lastPrompt: () => {
      const last = model.requests.at(-1);
      return last ? [{ role: 'system', content: last.systemPrompt }, ...last.turns] : [];
    },
    failNextTransiently: () => model.failNext(1, { retryable: true }),
    refuseNext: () => model.failNext(1, { retryable: false }),
    // A fresh model per case: "every call is slow" is "the next call is slow" here.
    slowNext: () => void model.slowBy(10_000),
  };
});
