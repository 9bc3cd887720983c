import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiConversationIdFor } from '../../../src/domain/model/ids.js';
import { replyHarness } from '../../support/reply-harness.js';

describe('ReplyToMessage limits', () => {
  it('answers up to the per-minute limit, then sends the limit reply once and stays silent, without model calls, until the minute passes', async () => {
    const h = replyHarness({ ratePerMinute: 3 });
    const first = h.message({ text: 'one' });
    const next = (text: string) => {
      h.clock.advance(1_000);
      return h.message({ participant: first.participant, accountId: first.accountId, text });
    };
    await h.useCase.execute(first);
    await h.useCase.execute(next('two'));
    const third = next('three');
    await h.useCase.execute(third);
    const fourth = next('four');
    await h.useCase.execute(fourth);
    const fifth = next('five');
    await h.useCase.execute(fifth);

    expect(h.model.calls).toBe(3);
    expect(await h.stored(third)).toMatchObject({ state: 'sent', reply: { kind: 'ai' } });
    expect(await h.stored(fourth)).toMatchObject({ state: 'sent', note: 'rate_limited', reply: { kind: 'limit', text: h.policy.limitReplyText } });
    expect(await h.stored(fifth)).toMatchObject({ state: 'skipped', note: 'rate_limited' });
    expect(h.channel.sent.map((s) => s.reply.text).filter((text) => text === h.policy.limitReplyText)).toHaveLength(1);

    h.clock.advance(60_000);
    const later = next('after a minute');
    await h.useCase.execute(later);
    expect(h.model.calls).toBe(4);
    expect(await h.stored(later)).toMatchObject({ state: 'sent', reply: { kind: 'ai' } });
  });

  it('limits an API user per participant when they send each message of a minute under another conversationId, and tells them once', async () => {
    const h = replyHarness({ ratePerMinute: 3 });
    const userId = `user-${randomUUID()}`;
    const send = async (text: string) => {
      h.clock.advance(1_000);
      const message = h.message({ channel: 'api', accountId: 'default', participant: { id: userId }, conversationId: apiConversationIdFor('default', userId, `ticket-${randomUUID()}`), text });
      await h.useCase.execute(message);
      return (await h.stored(message))!;
    };
    const bystander = h.message({ channel: 'api', accountId: 'default', participant: { id: `user-${randomUUID()}` }, text: 'someone else' });

    const answered = [await send('one'), await send('two'), await send('three')];
    const fourth = await send('four');
    const fifth = await send('five');
    await h.useCase.execute(bystander);

    expect(answered.map((record) => record.reply?.kind)).toEqual(['ai', 'ai', 'ai']);
    expect(fourth).toMatchObject({ note: 'rate_limited', reply: { kind: 'limit', text: h.policy.limitReplyText } });
    expect(fifth).toMatchObject({ state: 'skipped', note: 'rate_limited' });
    expect(h.model.calls).toBe(4);
    expect(await h.stored(bystander)).toMatchObject({ reply: { kind: 'ai' } });
  });

  it('stops calling the model once the channel reached its daily spend cap, replies once per conversation that day, and resumes the next UTC day', async () => {
    const h = replyHarness({ dailySpendCapUsd: 0.002, prices: { 'scripted-echo-v1': { prompt: 20, completion: 40 } } });
    const first = h.message({ text: 'first question' });
    await h.useCase.execute(first);
    const cost = (await h.stored(first))!.reply!.costUsd;
    expect(cost).toBeGreaterThan(0);
    const spentToday = await h.store.spendOf(first.accountId, new Date(h.clock.now()).toISOString().slice(0, 10));
    expect(spentToday).toBeCloseTo(cost, 12);

    // Keep asking in the same conversation until the cap is reached.
    let calls = h.model.calls;
    let capped;
    for (let i = 0; i < 50 && !capped; i++) {
      h.clock.advance(1_000);
      const message = h.message({ participant: first.participant, accountId: first.accountId, text: `question ${i}` });
      await h.useCase.execute(message);
      const stored = (await h.stored(message))!;
      if (stored.note === 'spend_capped') capped = stored;
      else calls = h.model.calls;
    }
    expect(capped).toMatchObject({ state: 'sent', reply: { kind: 'limit' } });
    expect(h.model.calls).toBe(calls);
    expect(await h.store.spendOf(first.accountId, new Date(h.clock.now()).toISOString().slice(0, 10))).toBeGreaterThanOrEqual(0.002);

    h.clock.advance(1_000);
    const silent = h.message({ participant: first.participant, accountId: first.accountId, text: 'still there?' });
    await h.useCase.execute(silent);
    expect(await h.stored(silent)).toMatchObject({ state: 'skipped', note: 'spend_capped' });

    h.clock.advance(24 * 3600 * 1000);
    const tomorrow = h.message({ participant: first.participant, accountId: first.accountId, text: 'new day' });
    await h.useCase.execute(tomorrow);
    expect(await h.stored(tomorrow)).toMatchObject({ state: 'sent', reply: { kind: 'ai' } });
  });

  it('calls the model just below the spend cap and stops exactly at it', async () => {
    const h = replyHarness({ dailySpendCapUsd: 1 });
    const first = h.message({ text: 'below the cap' });
    const today = new Date(h.clock.now()).toISOString().slice(0, 10);
    await h.store.settleSpend(first.accountId, today, 'earlier', 0.999_999);
    await h.useCase.execute(first);
    expect(h.model.calls).toBe(1);

    await h.store.settleSpend(first.accountId, today, 'earlier', 1 - (await h.store.spendOf(first.accountId, today)));
    h.clock.advance(1_000);
    const atCap = h.message({ participant: first.participant, accountId: first.accountId, text: 'at the cap' });
    await h.useCase.execute(atCap);

    expect(h.model.calls).toBe(1);
    expect(await h.stored(atCap)).toMatchObject({ note: 'spend_capped', reply: { kind: 'limit' } });
  });

  it('takes the limits from the channel settings over the defaults', async () => {
    const h = replyHarness({ ratePerMinute: 100 });
    const first = h.message({ text: 'one' });
    await h.store.saveChannelSettings({ accountId: first.accountId, ratePerMinute: 1, limitReplyText: 'Eins nach dem anderen!', updatedAt: h.clock.now() });
    await h.useCase.execute(first);
    h.clock.advance(1_000);
    const second = h.message({ participant: first.participant, accountId: first.accountId, text: 'two' });

    await h.useCase.execute(second);

    expect(await h.stored(second)).toMatchObject({ note: 'rate_limited', reply: { kind: 'limit', text: 'Eins nach dem anderen!' } });
  });
});
