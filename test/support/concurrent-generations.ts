import { randomUUID } from 'node:crypto';
import { InMemoryMessageBus } from '../../src/adapters/memory/in-memory-message-bus.js';
import type { ChatStore } from '../../src/domain/ports/chat-store.js';
import { utcDay } from '../../src/domain/use-cases/reply-limits.js';
import { ReplyToMessage, type ReplyPolicy } from '../../src/domain/use-cases/reply-to-message.js';
import { aMessage } from './builders.js';
import { FixedClock } from './fixed-clock.js';
import { RecordingReplyChannel } from './recording-reply-channel.js';
import { TEST_POLICY, testTokens } from './reply-harness.js';
import { ScriptedTranscriber } from './scripted-transcriber.js';
import { CompletionError, type Completion, type CompletionModel, type CompletionRequest } from '../../src/domain/ports/completion-model.js';

/**
 * A model that holds every call until `open()`: generations overlap the way concurrent workers'
 * do. It answers as `priced` with 40 prompt and 5 completion tokens, or fails permanently.
 */
export class GatedModel implements CompletionModel {
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

/** Resolves once `done()` holds, checking every few milliseconds (at most `timeoutMs`). */
export async function until(done: () => boolean, timeoutMs = 2_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !done() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 5));
}

// $1 per completion token, prompt tokens free: a generation with maxTokens 10 is estimated at $10
// and really costs $5 (5 completion tokens).
export const POLICY: ReplyPolicy = { ...TEST_POLICY, model: 'priced', maxTokens: 10, prices: { priced: { prompt: 0, completion: 1_000_000 } }, dailySpendCapUsd: 35 };

/** Ten messages of one channel (in conversations of their own) answered at once under POLICY's cap. */
export function tenConcurrentGenerations(model: GatedModel, store: ChatStore, accountId = `phone-${randomUUID()}`) {
  const clock = new FixedClock();
  const useCase = new ReplyToMessage(store, model, new RecordingReplyChannel(), new InMemoryMessageBus(), clock, POLICY, testTokens(), new ScriptedTranscriber());
  const messages = Array.from({ length: 10 }, () => aMessage({ accountId, receivedAt: clock.now(), text: 'What does it cost?' }));
  let settled = 0;
  const runs = messages.map((message) => useCase.execute(message).finally(() => (settled += 1)));
  /** Once every generation either waits in the model or is done, the model answers them all. */
  const finish = async () => {
    await until(() => model.calls + settled === messages.length, 30_000);
    model.open();
    return Promise.allSettled(runs);
  };
  return { store, messages, finish, accountId, day: utcDay(clock.now()) };
}
