import { describe, expect, it } from 'vitest';
import { ScriptedCompletionModel } from '../../../src/adapters/scripted/scripted-completion-model.js';
import { CompletionError, type CompletionModel } from '../../../src/domain/ports/completion-model.js';
import { MeteredCompletionModel } from '../../../src/observability/metered-completion-model.js';
import { NO_METRICS, type Metrics } from '../../../src/observability/metrics.js';

function recordingMetrics() {
  const calls: Parameters<Metrics['modelCalled']>[0][] = [];
  const metrics: Metrics = { ...NO_METRICS, enabled: true, modelCalled: (fact) => void calls.push(fact) };
  return { metrics, calls };
}

const request = { systemPrompt: 'be brief', turns: [{ role: 'user' as const, content: 'Hi there' }], maxTokens: 64 };

describe('MeteredCompletionModel', () => {
  it('records the call as ok with the completion\'s token usage when the model answers', async () => {
    const { metrics, calls } = recordingMetrics();

    const completion = await new MeteredCompletionModel(new ScriptedCompletionModel(), metrics).complete(request);

    expect(calls).toEqual([{ latencyMs: expect.any(Number), outcome: 'ok', usage: completion.usage }]);
    expect(calls[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(completion.usage.prompt).toBeGreaterThan(0);
  });

  it('records the call as an error without tokens and passes the error on when the model fails', async () => {
    const { metrics, calls } = recordingMetrics();
    const failure = new CompletionError('upstream 503', true);
    const failing: CompletionModel = { complete: () => Promise.reject(failure) };

    await expect(new MeteredCompletionModel(failing, metrics).complete(request)).rejects.toBe(failure);

    expect(calls).toEqual([{ latencyMs: expect.any(Number), outcome: 'error' }]);
  });
});
