import { describe, expect, it } from 'vitest';
import type { MessagePatch } from '../../../src/domain/model/message-record.js';
import type { SpendSettlement } from '../../../src/domain/ports/spend-ledger.js';
import { replyHarness } from '../../support/reply-harness.js';

const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);

/** The harness whose first write that would change a day's spend fails (before anything is written). */
function withSpendWriteFailingOnce() {
  const h = replyHarness();
  let failures = 1;
  const spendWrites: string[] = [];
  const settle = h.store.settleSpend.bind(h.store);
  h.store.settleSpend = async (accountId, day, key, usd) => {
    spendWrites.push('settleSpend');
    if (failures-- > 0) throw new Error('spend ledger unavailable');
    return settle(accountId, day, key, usd);
  };
  const transition = h.store.transition.bind(h.store);
  h.store.transition = async (conversationId: string, messageId: string, version: number, patch: MessagePatch, settlement?: SpendSettlement) => {
    if (settlement) {
      spendWrites.push(`transition to ${patch.state}`);
      if (failures-- > 0) throw new Error('chat store unavailable');
    }
    return transition(conversationId, messageId, version, patch, settlement);
  };
  return { h, spendWrites };
}

describe('ReplyToMessage spend settlement', () => {
  it('counts the reply\'s cost in the day\'s spend in the same write that stores the reply', async () => {
    const h = replyHarness();
    const message = h.message();
    const settled: string[] = [];
    const settle = h.store.settleSpend.bind(h.store);
    h.store.settleSpend = async (...args) => {
      settled.push('separately');
      return settle(...args);
    };

    await h.useCase.execute(message);

    const { reply, state } = (await h.stored(message))!;
    expect(state).toBe('sent');
    expect(reply!.costUsd).toBeGreaterThan(0);
    expect(await h.store.spendOf(message.accountId, dayOf(h.clock.now()))).toBeCloseTo(reply!.costUsd, 12);
    expect(settled).toEqual([]);
  });

  it('never loses the cost of a reply whose spend write failed: the redelivery answers once and the day counts it once', async () => {
    const { h, spendWrites } = withSpendWriteFailingOnce();
    const message = h.message();

    await h.useCase.execute(message).catch(() => undefined);
    await h.useCase.execute(message);
    await h.useCase.execute(message);

    const { reply, state } = (await h.stored(message))!;
    expect(state).toBe('sent');
    expect(h.channel.sent).toHaveLength(1);
    expect(await h.store.spendOf(message.accountId, dayOf(h.clock.now()))).toBeCloseTo(reply!.costUsd, 12);
    // The failed write was tried again, and the fault was really met.
    expect(spendWrites.length).toBeGreaterThanOrEqual(2);
  });
});
