import { describe, expect, it, vi } from 'vitest';
import { replyHarness } from '../../support/reply-harness.js';

/** The harness with `settleSpend` held until released, or failing once. */
function withSettlement(behaviour: 'held' | 'fails once') {
  const h = replyHarness();
  const settle = h.store.settleSpend.bind(h.store);
  const settled: number[] = [];
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let failures = behaviour === 'fails once' ? 1 : 0;
  h.store.settleSpend = async (accountId, day, key, usd) => {
    if (failures-- > 0) throw new Error('spend ledger unavailable');
    if (behaviour === 'held') await released;
    await settle(accountId, day, key, usd);
    settled.push(usd);
  };
  return { h, settled, release };
}

describe('ReplyToMessage spend settlement', () => {
  it('sends the reply while the spend settlement is still in flight, and ends the delivery only once it is settled', async () => {
    const { h, settled, release } = withSettlement('held');
    const message = h.message();

    let done = false;
    const delivery = h.useCase.execute(message).then(() => (done = true));

    await vi.waitFor(() => expect(h.channel.sent).toHaveLength(1), { timeout: 2_000 });
    expect(settled).toEqual([]);
    expect(done).toBe(false);
    release();
    await delivery;
    const { reply } = (await h.stored(message))!;
    expect(settled).toEqual([reply!.costUsd]);
    expect(reply!.costUsd).toBeGreaterThan(0);
  });

  it('fails the delivery when the settlement fails, after the reply went out; the redelivery sends nothing more', async () => {
    const { h } = withSettlement('fails once');
    const message = h.message();

    await expect(h.useCase.execute(message)).rejects.toThrow('spend ledger unavailable');
    expect(h.channel.sent).toHaveLength(1);

    await h.useCase.execute(message);
    expect(h.channel.sent).toHaveLength(1);
    expect((await h.stored(message))!.state).toBe('sent');
  });
});
