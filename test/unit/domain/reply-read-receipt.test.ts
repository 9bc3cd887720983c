import { describe, expect, it } from 'vitest';
import { replyHarness } from '../../support/reply-harness.js';

describe('ReplyToMessage (read receipt and typing indicator)', () => {
  it('sends no read receipt for a rate-limited message, neither the one told to slow down nor the silenced one after it', async () => {
    const h = replyHarness({ ratePerMinute: 1 });
    const first = h.message({ text: 'one' });
    const same = { participant: first.participant, accountId: first.accountId };
    const told = h.message({ ...same, text: 'two', receivedAt: first.receivedAt + 1_000 });
    const silenced = h.message({ ...same, text: 'three', receivedAt: first.receivedAt + 2_000 });

    await h.useCase.execute(first);
    h.clock.advance(1_000);
    await h.useCase.execute(told);
    h.clock.advance(1_000);
    await h.useCase.execute(silenced);

    expect(await h.stored(told)).toMatchObject({ state: 'sent', note: 'rate_limited', reply: { kind: 'limit' } });
    expect(await h.stored(silenced)).toMatchObject({ state: 'skipped', note: 'rate_limited' });
    expect(h.channel.acknowledged).toEqual([first.id]);
  });

  it('sends no read receipt for a message over the daily spend cap', async () => {
    const h = replyHarness({ dailySpendCapUsd: 0.01 });
    const message = h.message({ text: 'anything' });
    await h.store.settleSpend(message.accountId, new Date(h.clock.now()).toISOString().slice(0, 10), 'earlier', 1);

    await h.useCase.execute(message);

    expect(await h.stored(message)).toMatchObject({ note: 'spend_capped' });
    expect(h.channel.acknowledged).toEqual([]);
  });
});
