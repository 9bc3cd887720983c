import { describe, expect, it } from 'vitest';
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

describe('OpenAiCompletionModel with tools (against the OpenAI double)', () => {
  const tool = { name: 'request_human', description: 'Hand over to a person', parameters: { type: 'object', properties: { reason: { type: 'string' } } } };

  it('offers the tools as functions and reads the call the model made, arguments parsed', async () => {
    const double = new OpenAiDouble();
    await double.start();
    try {
      const model = new OpenAiCompletionModel({ apiKey: 'sk-test', baseURL: double.baseUrl, defaultModel: 'gpt-4o-mini', maxRetries: 0 });
      double.callToolNext('request_human', '{"reason":"angry"}');
      const completion = await model.complete({ systemPrompt: 's', turns: [{ role: 'user', content: 'a human please' }], maxTokens: 50, tools: [tool] });

      expect((double.chatRequests[0]!.body as { tools: unknown }).tools).toEqual([{ type: 'function', function: tool }]);
      expect(completion).toMatchObject({ text: '', model: 'gpt-4o-mini', toolCalls: [{ id: expect.stringMatching(/^call_/), name: 'request_human', arguments: { reason: 'angry' } }] });

      // Without tools the request carries none, and an empty answer is still an error.
      double.answerNext(null);
      await expect(model.complete({ systemPrompt: 's', turns: [{ role: 'user', content: 'x' }], maxTokens: 50 })).rejects.toMatchObject({ reason: 'empty_completion' });
      expect((double.chatRequests[1]!.body as Record<string, unknown>)['tools']).toBeUndefined();
    } finally {
      await double.stop();
    }
  });

  it('replays a tool round as the chat completions format has it: the assistant turn with tool_calls, then each answer under its tool_call_id', async () => {
    const double = new OpenAiDouble();
    await double.start();
    try {
      const model = new OpenAiCompletionModel({ apiKey: 'sk-test', baseURL: double.baseUrl, defaultModel: 'gpt-4o-mini', maxRetries: 0 });
      double.answerNext('It shipped yesterday.');
      const completion = await model.complete({
        systemPrompt: 's',
        turns: [
          { role: 'user', content: 'where is A17?' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'call_abc', name: 'order_status', arguments: { order: 'A17' } }] },
          { role: 'tool', toolCallId: 'call_abc', content: '{"status":"shipped"}' },
        ],
        maxTokens: 50,
      });

      expect(completion.text).toBe('It shipped yesterday.');
      expect((double.chatRequests[0]!.body as { messages: unknown[] }).messages.slice(1)).toEqual([
        { role: 'user', content: 'where is A17?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'order_status', arguments: '{"order":"A17"}' } }] },
        { role: 'tool', tool_call_id: 'call_abc', content: '{"status":"shipped"}' },
      ]);
    } finally {
      await double.stop();
    }
  });
});
