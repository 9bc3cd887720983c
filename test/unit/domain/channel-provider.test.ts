import { describe, expect, it } from 'vitest';
import { channelSettingsProblems } from '../../../src/domain/model/channel-settings-rules.js';
import { replyHarness } from '../../support/reply-harness.js';

describe('a channel that chooses its model provider', () => {
  const providerModels = { openai: 'gpt-4o-mini', vertex: 'google/gemini-2.5-flash' };

  it('asks that provider, with its default model unless the channel names one; other channels keep the configured model', async () => {
    const h = replyHarness({ model: 'gpt-4o-mini', providerModels });
    const gemini = h.message({ accountId: 'phone-gemini', text: 'hi' });
    const named = h.message({ accountId: 'phone-named', text: 'hi' });
    const plain = h.message({ accountId: 'phone-plain', text: 'hi' });
    await h.store.saveChannelSettings({ accountId: 'phone-gemini', provider: 'vertex', updatedAt: h.clock.now() });
    await h.store.saveChannelSettings({ accountId: 'phone-named', provider: 'vertex', model: 'google/gemini-2.5-pro', updatedAt: h.clock.now() });

    for (const message of [gemini, named, plain]) await h.useCase.execute(message);

    expect(h.model.requests.map((r) => [r.provider, r.model])).toEqual([
      ['vertex', 'google/gemini-2.5-flash'],
      ['vertex', 'google/gemini-2.5-pro'],
      [undefined, 'gpt-4o-mini'],
    ]);
  });

  it('may be openai or vertex, nothing else', () => {
    expect(channelSettingsProblems({ accountId: 'a', provider: 'vertex', updatedAt: 0 })).toEqual({});
    expect(channelSettingsProblems({ accountId: 'a', provider: 'azure' as never, updatedAt: 0 })).toEqual({ provider: 'must be one of openai, vertex' });
  });
});
