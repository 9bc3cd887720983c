import type { Completion, CompletionModel, CompletionRequest } from '../domain/ports/completion-model.js';
import type { Metrics } from './metrics.js';

/** Times each model call and counts its tokens, whatever the provider; wired only when metrics are on. */
export class MeteredCompletionModel implements CompletionModel {
  constructor(
    private readonly model: CompletionModel,
    private readonly metrics: Metrics,
  ) {}

  async complete(request: CompletionRequest, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<Completion> {
    const started = performance.now();
    try {
      const completion = await this.model.complete(request, options);
      this.metrics.modelCalled({ latencyMs: performance.now() - started, outcome: 'ok', usage: completion.usage });
      return completion;
    } catch (error) {
      this.metrics.modelCalled({ latencyMs: performance.now() - started, outcome: 'error' });
      throw error;
    }
  }
}
