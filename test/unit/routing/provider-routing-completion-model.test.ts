import { describe, expect, it } from 'vitest';
import { ProviderRoutingCompletionModel } from '../../../src/adapters/routing/provider-routing-completion-model.js';
import { ScriptedCompletionModel } from '../../../src/adapters/scripted/scripted-completion-model.js';
import type { Completion, CompletionModel, CompletionRequest } from '../../../src/domain/ports/completion-model.js';

/** A model that answers with its own name, and keeps what it was asked. */
class NamedModel implements CompletionModel {
  readonly requests: CompletionRequest[] = [];
  constructor(private readonly name: string) {}
  async complete(request: CompletionRequest): Promise<Completion> {
    this.requests.push(request);
    return { text: this.name, model: request.model ?? `${this.name}-default`, usage: { prompt: 1, completion: 1 } };
  }
}

const ask = (provider?: 'openai' | 'vertex'): CompletionRequest => ({ systemPrompt: 's', turns: [{ role: 'user', content: 'hi' }], maxTokens: 10, ...(provider ? { provider } : {}) });

describe('ProviderRoutingCompletionModel', () => {
  it('answers with the configured model unless the channel chose another provider, which is made once, on first use', async () => {
    const configured = new NamedModel('openai');
    const gemini = new NamedModel('vertex');
    let made = 0;
    const model = new ProviderRoutingCompletionModel(configured, 'openai', {
      vertex: async () => {
        made += 1;
        return gemini;
      },
    });

    expect((await model.complete(ask())).text).toBe('openai');
    expect((await model.complete(ask('openai'))).text).toBe('openai');
    expect(made).toBe(0);
    const answers = await Promise.all([model.complete(ask('vertex')), model.complete(ask('vertex'))]);

    expect(answers.map((a) => a.text)).toEqual(['vertex', 'vertex']);
    expect(made).toBe(1);
    expect(gemini.requests).toHaveLength(2);
    expect(model.perChannel).toEqual(['vertex']);
  });

  it('fails for good (model_provider_not_configured) when the channel chose a provider this worker does not have', async () => {
    const model = new ProviderRoutingCompletionModel(new ScriptedCompletionModel(), 'scripted', {});

    await expect(model.complete(ask('vertex'))).rejects.toMatchObject({ retryable: false, reason: 'model_provider_not_configured' });
  });

  it('makes a provider again when making it failed', async () => {
    let attempts = 0;
    const model = new ProviderRoutingCompletionModel(new NamedModel('openai'), 'openai', {
      vertex: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('no credentials yet');
        return new NamedModel('vertex');
      },
    });

    await expect(model.complete(ask('vertex'))).rejects.toThrow('no credentials yet');
    expect((await model.complete(ask('vertex'))).text).toBe('vertex');
    expect(attempts).toBe(2);
  });
});
