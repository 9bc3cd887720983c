import { describe, expect, it } from 'vitest';
import { InMemoryChatStore } from '../../../src/adapters/memory/in-memory-chat-store.js';
import { InMemoryMessageBus } from '../../../src/adapters/memory/in-memory-message-bus.js';
import { CompletionError, type Completion, type CompletionModel, type CompletionRequest } from '../../../src/domain/ports/completion-model.js';
import { ReplyToMessage, type ReplyPolicy } from '../../../src/domain/use-cases/reply-to-message.js';
import { utcDay } from '../../../src/domain/use-cases/reply-limits.js';
import { aMessage } from '../../support/builders.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { RecordingReplyChannel } from '../../support/recording-reply-channel.js';
import { TEST_POLICY, testTokens } from '../../support/reply-harness.js';
import { ScriptedTranscriber } from '../../support/scripted-transcriber.js';

/** A model that holds every call until released: generations overlap the way concurrent workers' do. */
class GatedModel implements CompletionModel {
  calls = 0;
  private release!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  constructor(private readonly outcome: 'answer' | 'fail' = 'answer') {}

  async complete(_request: CompletionRequest): Promise<Completion> {
    this.calls += 1;
    await this.gate;
    if (this.outcome === 'fail') throw new CompletionError('provider down', false);
    return { text: 'An answer.', model: 'priced', usage: { prompt: 40, completion: 5 } };
  }

  open(): void {
    this.release();
  }
}

// $1 per completion token, prompt tokens free: a generation with maxTokens 10 is estimated at $10
// and really costs $5 (5 completion tokens).
const POLICY: ReplyPolicy = { ...TEST_POLICY, model: 'priced', maxTokens: 10, prices: { priced: { prompt: 0, completion: 1_000_000 } }, dailySpendCapUsd: 35 };

function tenConcurrentGenerations(model: GatedModel, store = new InMemoryChatStore()) {
  const clock = new FixedClock();
  const useCase = new ReplyToMessage(store, model, new RecordingReplyChannel(), new InMemoryMessageBus(), clock, POLICY, testTokens(), new ScriptedTranscriber());
  const messages = Array.from({ length: 10 }, () => aMessage({ accountId: 'phone-cap', receivedAt: clock.now(), text: 'What does it cost?' }));
  let settled = 0;
  const runs = messages.map((message) => useCase.execute(message).finally(() => (settled += 1)));
  /** Once every generation either waits in the model or is done, the model answers them all. */
  const finish = async () => {
    for (let i = 0; i < 400 && model.calls + settled < messages.length; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    model.open();
    return Promise.allSettled(runs);
  };
  return { store, messages, finish, day: utcDay(clock.now()) };
}

describe('ReplyToMessage spend reservation', () => {
  it('calls the model at most as often as the estimates fit under the daily cap when 10 generations of one channel run at once', async () => {
    const model = new GatedModel();
    const { store, messages, finish, day } = tenConcurrentGenerations(model);

    await finish();

    expect(model.calls).toBe(3);
    const records = await Promise.all(messages.map(async (m) => (await store.messages(m.conversationId, { limit: 1 }))[0]!));
    expect(records.filter((r) => r.reply?.kind === 'ai')).toHaveLength(3);
    expect(records.filter((r) => r.note === 'spend-capped')).toHaveLength(7);
    expect(await store.spendOf('phone-cap', day)).toBe(15);
  });

  it('releases the reservation when the model call fails, so the next generation of the day still fits', async () => {
    const failing = new GatedModel('fail');
    const { store, finish, day } = tenConcurrentGenerations(failing);
    await finish();
    expect(failing.calls).toBe(3);
    expect(await store.spendOf('phone-cap', day)).toBe(0);

    const next = new GatedModel();
    const again = tenConcurrentGenerations(next, store);
    await again.finish();
    expect(next.calls).toBe(3);
  });
});
