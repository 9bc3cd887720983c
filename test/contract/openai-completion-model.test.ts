import { randomBytes } from 'node:crypto';
import { OpenAiCompletionModel } from '../../src/adapters/openai/openai-completion-model.js';
import { OpenAiDouble } from '../support/openai-double.js';
import { completionModelContract } from './completion-model.contract.js';

completionModelContract('OpenAiCompletionModel (against the OpenAI double)', async () => {
  const apiKey = `sk-test-${randomBytes(12).toString('hex')}`;
  const double = new OpenAiDouble({ apiKey });
  await double.start();
  // No retries: each scripted failure is the call's outcome (the retry policy has its own tests).
  const model = new OpenAiCompletionModel({ apiKey, baseURL: double.baseUrl, defaultModel: 'gpt-4o-mini', maxRetries: 0 });
  return {
    model,
    lastPrompt: () => (double.chatRequests.at(-1)?.body as { messages: { role: string; content: string }[] }).messages,
    failNextTransiently: () => double.failNext(1, { status: 503 }),
    refuseNext: () => double.failNext(1, { status: 400 }),
    slowNext: () => double.slowNext(1, 10_000),
    cleanup: () => double.stop(),
  };
});
