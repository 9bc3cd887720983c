import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../../src/domain/model/message.js';
import { replyHarness, type ReplyHarness } from '../../support/reply-harness.js';

/** Delivers every message at once, then redelivers the nacked ones, like an unordered bus would. */
async function deliverConcurrently(h: ReplyHarness, messages: InboundMessage[]): Promise<number> {
  let pending = messages;
  let rounds = 0;
  while (pending.length > 0 && rounds < 60) {
    rounds += 1;
    const results = await Promise.allSettled(pending.map((message) => h.useCase.execute(message)));
    pending = pending.filter((_, i) => results[i]!.status === 'rejected');
  }
  expect(pending).toEqual([]);
  return rounds;
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('ReplyToMessage (order and bursts)', () => {
  it('answers 20 messages of one conversation in arrival order when they are delivered concurrently and shuffled', async () => {
    const h = replyHarness();
    const first = h.message({ text: 'message 0' });
    const messages = [first, ...Array.from({ length: 19 }, (_, i) => h.message({ participant: first.participant, accountId: first.accountId, text: `message ${i + 1}`, receivedAt: h.clock.now() + (i + 1) * 5_000 }))];

    await deliverConcurrently(h, shuffled(messages));

    expect(h.model.requests.map((request) => request.turns.at(-1)!.content)).toEqual(messages.map((_, i) => `message ${i}`));
    expect(h.channel.sent.map((sent) => sent.reply.inReplyTo.id)).toEqual(messages.map((message) => message.id));
    for (const message of messages) expect(await h.stored(message)).toMatchObject({ state: 'sent' });
  });

  it('lets a later message wait for an earlier one still being worked on, but not for one whose deliveries stopped a lease ago', async () => {
    const h = replyHarness();
    const stuck = h.message({ text: 'earlier, its deliveries stopped' });
    await h.store.register(stuck, h.clock.now());
    const later = h.message({ participant: stuck.participant, accountId: stuck.accountId, text: 'later', receivedAt: stuck.receivedAt + 1_000 });

    await expect(h.useCase.execute(later)).rejects.toMatchObject({ code: 'message_in_progress', retryable: true });
    expect(h.model.calls).toBe(0);

    h.clock.advance(h.policy.leaseMs + 1);
    await h.useCase.execute(later);
    expect(await h.stored(later)).toMatchObject({ state: 'sent' });
  });

  it('answers a burst of 5 within the coalescing window with one completion covering all 5, each message in a final state', async () => {
    const h = replyHarness({ coalesceWindowMs: 3_000 });
    const first = h.message({ text: 'Hi' });
    const texts = ['Hi', 'I have a question', 'about my order', 'number 4711', 'thanks!'];
    const burst = texts.map((text, i) =>
      i === 0 ? first : h.message({ participant: first.participant, accountId: first.accountId, text, receivedAt: first.receivedAt + i * 400 }),
    );

    await deliverConcurrently(h, shuffled(burst));

    expect(h.model.calls).toBe(1);
    expect(h.model.requests[0]!.turns.map((turn) => turn.content)).toEqual(texts);
    expect(h.channel.sent).toHaveLength(1);
    expect(await h.stored(first)).toMatchObject({ state: 'sent', folded: texts.slice(1) });
    for (const message of burst.slice(1)) expect(await h.stored(message)).toMatchObject({ state: 'skipped', note: 'folded', foldedInto: first.id });
    const outcomes = (await h.published()).filter((event) => event.type === 'message');
    expect(outcomes).toHaveLength(5);
  });

  it('records the folded messages\' outcomes itself, so the analytics need not wait for their own redeliveries', async () => {
    const h = replyHarness({ coalesceWindowMs: 3_000 });
    const first = h.message({ text: 'Hi' });
    const later = ['I have a question', 'about my order'].map((text, i) => h.message({ participant: first.participant, accountId: first.accountId, text, receivedAt: first.receivedAt + (i + 1) * 400 }));
    // The later messages' deliveries came and were nacked: they wait out the bus's backoff meanwhile.
    for (const message of later) await h.store.register(message, h.clock.now());

    await h.useCase.execute(first);

    const outcomes = (await h.published()).filter((event) => event.type === 'message');
    expect(outcomes.map((event) => [event.type === 'message' && event.messageId, event.type === 'message' && event.outcome]).toSorted()).toEqual(
      [[first.id, 'sent'], ...later.map((message) => [message.id, 'skipped'])].toSorted(),
    );
    for (const message of later) expect(await h.stored(message)).toMatchObject({ state: 'skipped', foldedInto: first.id, recorded: true });
    // Their own redeliveries then find them done, and publish nothing more.
    for (const message of later) await h.useCase.execute(message);
    expect((await h.published()).filter((event) => event.type === 'message')).toHaveLength(3);
  });

  it('lets an earlier message that turns up during a later one\'s window go first and fold the later one, on an unordered bus', async () => {
    const h = replyHarness({ coalesceWindowMs: 3_000 });
    const first = h.message({ text: 'one' });
    const second = h.message({ participant: first.participant, accountId: first.accountId, text: 'two', receivedAt: first.receivedAt + 500 });
    // The bus hands the second message over first; the first one is registered while it waits out its window.
    let lateDelivery: Promise<unknown> | undefined;
    const sleep = h.clock.sleep.bind(h.clock);
    h.clock.sleep = async (ms: number) => {
      lateDelivery ??= h.useCase.execute(first).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 0));
      await sleep(ms);
    };

    const secondFirst = await h.useCase.execute(second).then(() => 'answered', (error: { code?: string; awaits?: string }) => `${error.code}:${error.awaits}`);
    h.clock.sleep = sleep;
    await lateDelivery;
    await deliverConcurrently(h, [first, second]);

    expect(secondFirst).toBe('message_in_progress:fold');
    expect(h.model.calls).toBe(1);
    expect(h.model.requests[0]!.turns.map((turn) => turn.content)).toEqual(['one', 'two']);
    expect(h.channel.sent.map((sent) => sent.reply.inReplyTo.id)).toEqual([first.id]);
    expect(await h.stored(second)).toMatchObject({ state: 'skipped', note: 'folded', foldedInto: first.id });
  });

  it('answers a message that arrives within the window of an earlier one still being answered with a quick nack that says it is being folded', async () => {
    const h = replyHarness({ coalesceWindowMs: 3_000 });
    const first = h.message({ text: 'one' });
    const second = h.message({ participant: first.participant, accountId: first.accountId, text: 'two', receivedAt: first.receivedAt + 500 });
    const third = h.message({ participant: first.participant, accountId: first.accountId, text: 'three', receivedAt: first.receivedAt + 9_000 });
    await h.store.register(first, h.clock.now());
    await h.store.register(third, h.clock.now());

    await expect(h.useCase.execute(second)).rejects.toMatchObject({ code: 'message_in_progress', awaits: 'fold' });
    await expect(h.useCase.execute(third)).rejects.toMatchObject({ code: 'message_in_progress', awaits: 'turn' });
  });

  it('keeps the folded messages in the completion when the burst\'s first generation fails and is retried', async () => {
    const h = replyHarness({ coalesceWindowMs: 3_000 });
    h.model.failNext(1, { retryable: true });
    const first = h.message({ text: 'one' });
    const second = h.message({ participant: first.participant, accountId: first.accountId, text: 'two', receivedAt: first.receivedAt + 500 });

    await deliverConcurrently(h, [first, second]);

    expect(h.model.calls).toBe(2);
    expect(h.model.requests[1]!.turns.map((turn) => turn.content)).toEqual(['one', 'two']);
    expect(await h.stored(second)).toMatchObject({ state: 'skipped', note: 'folded', foldedInto: first.id });
  });

  it('shows a folded burst in later history as one exchange, the user turns before the reply', async () => {
    const h = replyHarness({ coalesceWindowMs: 3_000 });
    const first = h.message({ text: 'one' });
    const second = h.message({ participant: first.participant, accountId: first.accountId, text: 'two', receivedAt: first.receivedAt + 500 });
    await deliverConcurrently(h, [first, second]);
    h.clock.advance(60_000);

    await h.useCase.execute(h.message({ participant: first.participant, accountId: first.accountId, text: 'three' }));

    const turns = h.model.requests.at(-1)!.turns;
    expect(turns.map((turn) => turn.role)).toEqual(['user', 'user', 'assistant', 'user']);
    expect(turns.map((turn) => turn.content).slice(0, 2)).toEqual(['one', 'two']);
  });
});
