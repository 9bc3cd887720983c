import { describe, expect, it } from 'vitest';
import type { TokenCounter } from '../../../src/domain/ports/token-counter.js';
import { replyHarness, testTokens } from '../../support/reply-harness.js';

/** The test tokenizer, remembering how many texts it was asked to count. */
function countingTokens(): TokenCounter & { counted: number } {
  const counter = { counted: 0, count: (text: string) => (counter.counted++, testTokens().count(text)) };
  return counter;
}

// The worker's tokenizer loads its encoding (about 100 ms and tens of MB) at its first count, so a
// reply counts only what it must: the prompt when it may not fit the history budget by its bytes,
// and the prompt's cost estimate when the channel has a daily spend cap.
describe('ReplyToMessage counting tokens', () => {
  it('counts nothing for a conversation whose prompt fits the history budget by its bytes, without a spend cap', async () => {
    const tokens = countingTokens();
    const h = replyHarness({ historyTokenBudget: 6_000 }, tokens);
    const conversationId = 'counting-short';
    for (const body of ['hello', 'what are your opening hours?']) {
      await h.useCase.execute(h.message({ conversationId, content: { type: 'text', body } }));
      h.clock.advance(60_000);
    }
    expect(h.channel.sent).toHaveLength(2);
    expect(tokens.counted).toBe(0);
  });

  it('counts the prompt when its bytes may not fit the history budget', async () => {
    const tokens = countingTokens();
    const h = replyHarness({ historyTokenBudget: 256 }, tokens);
    const conversationId = 'counting-long';
    for (const body of ['a question of some length '.repeat(8), 'another one']) {
      await h.useCase.execute(h.message({ conversationId, content: { type: 'text', body } }));
      h.clock.advance(60_000);
    }
    expect(h.channel.sent).toHaveLength(2);
    expect(tokens.counted).toBeGreaterThan(0);
  });

  it("counts the prompt to estimate its cost against the channel's daily spend cap", async () => {
    const tokens = countingTokens();
    const h = replyHarness({ historyTokenBudget: 6_000, dailySpendCapUsd: 1 }, tokens);
    await h.useCase.execute(h.message({ content: { type: 'text', body: 'hello' } }));
    expect(h.channel.sent).toHaveLength(1);
    expect(tokens.counted).toBeGreaterThan(0);
  });
});
