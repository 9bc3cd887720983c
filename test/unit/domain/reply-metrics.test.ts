import { describe, expect, it } from 'vitest';
import { replyHarness } from '../../support/reply-harness.js';

describe('ReplyToMessage metrics', () => {
  it('reports one sent reply with its channel and latency when a message is answered, and nothing more on redelivery', async () => {
    const h = replyHarness();
    const message = h.message({ text: 'Do you deliver on Sundays?' });
    h.clock.advance(850);

    await h.useCase.execute(message);
    await h.useCase.execute(message);

    expect(h.replyFacts).toEqual([{ channel: 'whatsapp', outcome: 'sent', latencyMs: 850 }]);
  });

  it('reports a failed reply when the channel refuses it for good', async () => {
    const h = replyHarness();
    h.channel.failNext(1, false, 'recipient-blocked');
    const message = h.message({ channel: 'api' });

    await h.useCase.execute(message);

    expect(h.replyFacts).toEqual([{ channel: 'api', outcome: 'failed', latencyMs: expect.any(Number) }]);
  });

  it('reports a skipped message without a latency when nothing was answered', async () => {
    const h = replyHarness();
    const message = h.message({ content: { type: 'reaction', emoji: '👍', messageId: 'wamid.x' } });

    const outcome = await h.useCase.execute(message);

    expect(outcome.state).toBe('skipped');
    expect(h.replyFacts).toEqual([{ channel: 'whatsapp', outcome: 'skipped' }]);
  });
});
