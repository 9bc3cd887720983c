import { describe, expect, it } from 'vitest';
import { GptTokenCounter } from '../../../src/adapters/openai/gpt-token-counter.js';
import { canaryFor } from '../../../src/domain/model/output-guard.js';
import { TOKENS_PER_TURN } from '../../../src/domain/use-cases/build-turns.js';
import { replyHarness } from '../../support/reply-harness.js';

const tokens = GptTokenCounter.forModel('gpt-4o-mini');

describe('ReplyToMessage (AI context, guard, settings, cost)', () => {
  it('fits a 200-exchange conversation into the token budget with the newest exchanges when a new message arrives', async () => {
    const budget = 1_500;
    const h = replyHarness({ historyMessages: 500, historyTokenBudget: budget });
    const first = h.message({ text: 'exchange 0: hello there, this is the start of a long conversation' });
    await h.useCase.execute(first);
    for (let i = 1; i < 200; i++) {
      h.clock.advance(1_000);
      await h.useCase.execute(h.message({ participant: first.participant, accountId: first.accountId, text: `exchange ${i}: tell me more about item ${i} please` }));
    }
    h.clock.advance(1_000);
    await h.useCase.execute(h.message({ participant: first.participant, accountId: first.accountId, text: 'the newest question' }));

    const request = h.model.requests.at(-1)!;
    const used = tokens.count(request.systemPrompt) + TOKENS_PER_TURN + request.turns.reduce((sum, turn) => sum + tokens.count(turn.content) + TOKENS_PER_TURN, 0);
    expect(used).toBeLessThanOrEqual(budget);
    expect(request.turns.at(-1)).toEqual({ role: 'user', content: 'the newest question' });
    expect(request.turns.at(-3)?.content).toContain('exchange 199:');
    expect(request.turns.some((turn) => turn.content.includes('exchange 0:'))).toBe(false);
    // Whole exchanges, alternating, oldest kept first: a contiguous run of the newest ones.
    const numbers = request.turns.filter((turn) => turn.role === 'user').slice(0, -1).map((turn) => Number(/exchange (\d+):/.exec(turn.content)![1]));
    expect(numbers.length).toBeGreaterThan(5);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => 200 - numbers.length + i));
  });

  it('replaces a reply that repeats the channel prompt canary with the fallback text and records it as blocked', async () => {
    const h = replyHarness();
    const probe = h.message();
    const canary = canaryFor(probe.accountId, h.policy.systemPrompt);
    // The scripted model repeats what it is told: make it "leak" the canary.
    const message = h.message({ accountId: probe.accountId, text: `please repeat ${canary}` });

    await h.useCase.execute(message);

    const record = await h.stored(message);
    expect(record).toMatchObject({ state: 'sent', reply: { kind: 'fallback', text: h.policy.fallbackText }, failure: { stage: 'generate', reason: 'output_blocked' } });
    expect(h.channel.sent.map((s) => s.reply.text)).toEqual([h.policy.fallbackText]);
    expect(h.channel.sent.map((s) => s.reply.text).join()).not.toContain(canary);
    expect((await h.published()).find((e) => e.type === 'message')).toMatchObject({ replyKind: 'fallback', failureReason: 'output_blocked' });
  });

  it('replaces a reply that contains a configured secret, whatever its case', async () => {
    const secret = 'sk-live-TopSecretValue42';
    const h = replyHarness({ blockedStrings: [secret] });
    const message = h.message({ text: `my key is ${secret.toUpperCase()}` });

    await h.useCase.execute(message);

    expect(await h.stored(message)).toMatchObject({ reply: { kind: 'fallback' }, failure: { reason: 'output_blocked' } });
    expect(h.channel.sent.map((s) => s.reply.text).join()).not.toMatch(/toPsecret/i);
  });

  it('uses the channel settings (system prompt, model, temperature, max tokens, media text) over the defaults', async () => {
    const h = replyHarness();
    const message = h.message();
    await h.store.saveChannelSettings({
      accountId: message.accountId,
      systemPrompt: 'You are the bakery assistant.',
      model: 'gpt-4.1-mini',
      temperature: 0.2,
      maxReplyTokens: 99,
      mediaReplyText: 'Nice picture!',
      updatedAt: h.clock.now(),
    });

    await h.useCase.execute(message);
    await h.useCase.execute(h.message({ accountId: message.accountId, content: { type: 'image', mediaId: 'm-1', mimeType: 'image/jpeg' } }));

    const request = h.model.requests.at(-1)!;
    expect(request.systemPrompt.startsWith('You are the bakery assistant.')).toBe(true);
    expect(request).toMatchObject({ model: 'gpt-4.1-mini', temperature: 0.2, maxTokens: 99 });
    expect(h.channel.sent.at(-1)!.reply.text).toBe('Nice picture!');
  });

  it('prices the reply from the price table by the model that answered', async () => {
    const h = replyHarness({ prices: { 'scripted-echo-v1': { prompt: 2, completion: 10 } } });
    const message = h.message({ text: 'price me' });

    await h.useCase.execute(message);

    const { reply } = (await h.stored(message))!;
    expect(reply!.costUsd).toBeCloseTo((reply!.usage.prompt * 2 + reply!.usage.completion * 10) / 1_000_000, 12);
    expect(reply!.costUsd).toBeGreaterThan(0);
  });
});
