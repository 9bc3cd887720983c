import { describe, expect, it } from 'vitest';
import { SCRIPTED_MODEL_NAME } from '../../../src/adapters/scripted/scripted-completion-model.js';
import type { InboundMessage } from '../../../src/domain/model/message.js';
import { CompletionError, type Completion, type CompletionModel, type CompletionRequest } from '../../../src/domain/ports/completion-model.js';
import type { Transcriber } from '../../../src/domain/ports/transcriber.js';
import { ReplyToMessage } from '../../../src/domain/use-cases/reply-to-message.js';
import { replyHarness, testTokens, type ReplyHarness } from '../../support/reply-harness.js';

const voiceNote = (mediaId: string) => ({ type: 'audio' as const, voice: true, mediaId, mimeType: 'audio/ogg; codecs=opus' });

/** What a concurrent redelivery ended with: its outcome's state, or the reason it was rejected with (a domain error's code unless it has a finer one). */
type Redelivery = { state: string } | { rejected: string };
const settle = (work: Promise<{ state: string }>): Promise<Redelivery> =>
  work.then(
    ({ state }) => ({ state }),
    (error: { code?: string; reason?: string }) => ({ rejected: error.reason ?? error.code ?? 'unknown' }),
  );

/**
 * Work that takes time on the harness clock (the fixed clock moves by its duration, cut to the
 * budget it is given) and, the first time, lets a redelivery of the same message run meanwhile.
 */
class SlowWork {
  calls = 0;
  readonly budgets: (number | undefined)[] = [];
  redelivery: Redelivery | undefined;

  constructor(
    private readonly h: ReplyHarness,
    private readonly takesMs: number,
    private readonly useCase: () => ReplyToMessage,
  ) {}

  /** Spends up to `takesMs` (less when the budget is smaller); true when it finished in time. */
  async spend(message: InboundMessage, budgetMs: number | undefined): Promise<boolean> {
    this.calls += 1;
    this.budgets.push(budgetMs);
    const spent = Math.min(this.takesMs, budgetMs ?? Infinity);
    this.h.clock.advance(spent);
    if (this.calls === 1) this.redelivery = await settle(this.useCase().execute(message));
    return spent === this.takesMs;
  }
}

function slowModel(work: SlowWork, message: InboundMessage): CompletionModel & { requests: CompletionRequest[] } {
  const requests: CompletionRequest[] = [];
  return {
    requests,
    async complete(request, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Completion> {
      requests.push(request);
      if (!(await work.spend(message, options.timeoutMs))) throw new CompletionError('model call exceeded its budget', true, { reason: 'model_timeout' });
      return { text: `answer to ${request.turns.at(-1)!.content}`, model: SCRIPTED_MODEL_NAME, usage: { prompt: 10, completion: 5 } };
    },
  };
}

describe('ReplyToMessage (the lease bounds every budget)', () => {
  it('takes the lease before transcribing: a redelivery during a slow transcription makes no second transcription and no second model call', async () => {
    const h = replyHarness({ leaseMs: 60_000 });
    const message = h.message({ content: voiceNote('media-slow') });
    let useCase!: ReplyToMessage;
    // 20 s: within a transcription timeout, but the message is not yet leased on main.
    const work = new SlowWork(h, 20_000, () => useCase);
    const transcriber: Transcriber = {
      async transcribe(inbound, options: { timeoutMs?: number } = {}) {
        await work.spend(inbound, options.timeoutMs);
        return 'Do you deliver on Sundays?';
      },
    };
    useCase = new ReplyToMessage(h.store, h.model, h.channel, h.bus, h.clock, h.policy, testTokens(), transcriber);

    const outcome = await useCase.execute(message);

    expect(work.redelivery).toEqual({ rejected: 'message_in_progress' });
    expect(work.calls).toBe(1);
    expect(h.model.calls).toBe(1);
    expect(h.channel.sent).toHaveLength(1);
    expect(outcome.state).toBe('sent');
    expect(await h.stored(message)).toMatchObject({ state: 'sent', transcript: 'Do you deliver on Sundays?', attempts: 1 });
  });

  it('leaves a voice note whose transcription keeps failing retryably to the bus, never to the fallback reply, and reads it once', async () => {
    const h = replyHarness({ maxAttempts: 3 });
    h.transcriber.say('media-flaky', 'Are you open?').failNext(5, true);
    const message = h.message({ content: voiceNote('media-flaky') });

    for (let delivery = 0; delivery < 5; delivery++) await expect(h.useCase.execute(message)).rejects.toMatchObject({ retryable: true });
    expect(await h.stored(message)).toMatchObject({ state: 'received', leaseUntil: 0 });
    await h.useCase.execute(message);

    expect(await h.stored(message)).toMatchObject({ state: 'sent', transcript: 'Are you open?', reply: { kind: 'ai' } });
    expect(h.model.calls).toBe(1);
    expect(h.channel.acknowledged).toEqual([message.id]);
  });

  it('gives the transcription only what remains of the lease minus the margin', async () => {
    const h = replyHarness({ leaseMs: 60_000, leaseMarginMs: 5_000 });
    const message = h.message({ content: voiceNote('media-budget') });
    let useCase!: ReplyToMessage;
    const work = new SlowWork(h, 1_000, () => useCase);
    const transcriber: Transcriber = {
      async transcribe(inbound, options: { timeoutMs?: number } = {}) {
        await work.spend(inbound, options.timeoutMs);
        return 'Hello?';
      },
    };
    useCase = new ReplyToMessage(h.store, h.model, h.channel, h.bus, h.clock, h.policy, testTokens(), transcriber);

    await useCase.execute(message);

    expect(work.budgets).toEqual([55_000]);
  });

  it('cuts a model call at the lease deadline: a redelivery when the lease would have run out finds it still held, no second model call', async () => {
    const h = replyHarness({ leaseMs: 60_000, leaseMarginMs: 5_000, coalesceWindowMs: 15_000 });
    const message = h.message({ text: 'Where is my order?' });
    let useCase!: ReplyToMessage;
    // 46 s: within main's per-call limit (0.8 × lease = 48 s), but window (15 s) + 46 s outlives the 60 s lease.
    const work = new SlowWork(h, 46_000, () => useCase);
    const model = slowModel(work, message);
    useCase = new ReplyToMessage(h.store, model, h.channel, h.bus, h.clock, h.policy, testTokens(), h.transcriber);

    const first = await settle(useCase.execute(message));

    // The model got what remained: lease 60 s − window 15 s − margin 5 s.
    expect(work.budgets).toEqual([40_000]);
    expect(work.redelivery).toEqual({ rejected: 'message_in_progress' });
    expect(model.requests).toHaveLength(1);
    expect(first).toEqual({ rejected: 'model_timeout' });
    expect(h.channel.sent).toHaveLength(0);
    expect(await h.stored(message)).toMatchObject({ state: 'received', attempts: 1, failure: { stage: 'generate', reason: 'model_timeout' } });
  });
});
