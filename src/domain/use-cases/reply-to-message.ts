import { isRetryable, MessageInProgressError } from '../model/errors.js';
import { everHandedOff, triggerIn } from '../model/handoff.js';
import { planFor, type InboundMessage } from '../model/message.js';
import { nextStep, type Failure, type MessagePatch, type MessageRecord } from '../model/message-record.js';
import type { Reply } from '../model/reply.js';
import type { ChannelSettingsStore } from '../ports/channel-settings-store.js';
import type { ConversationArchive } from '../ports/conversation-archive.js';
import type { MessageLog } from '../ports/message-log.js';
import type { SpendLedger, SpendSettlement } from '../ports/spend-ledger.js';
import type { AgentReplyLog } from '../ports/agent-reply-log.js';
import type { HandoffLog } from '../ports/handoff-log.js';
import type { Clock } from '../ports/clock.js';
import type { CompletionModel } from '../ports/completion-model.js';
import type { MessageBus } from '../ports/message-bus.js';
import { SEND_OUTCOME_UNKNOWN, type ReplyChannel } from '../ports/reply-channel.js';
import { ChannelSettingsCache } from './channel-settings-cache.js';
import { ComposeReply, effectiveSettings, type EffectiveSettings } from './compose-reply.js';
import { checkLimits, spendCapped, type OverLimit } from './reply-limits.js';
import { awaitedEarlier, RECENT_MESSAGES } from './conversation-turn.js';
import type { TokenCounter } from '../ports/token-counter.js';
import type { Transcriber } from '../ports/transcriber.js';
import { NO_REPLY_METRICS, type ReplyMetrics } from '../ports/reply-metrics.js';
import type { HandoffNotifier } from '../ports/handoff-notifier.js';
import { NO_HANDOFF_NOTIFIER, RequestHuman } from './request-human.js';
import { SendReply } from './send-reply.js';
import type { ToolKit, ToolLedger } from './tool-rounds.js';

import { interactionOf, reasonOf, toolCallFactsOf } from './interaction-of.js';
import { LeaseBudget } from './lease-budget.js';
import { foldBurst, understand, type GenerationSteps } from './generation-steps.js';
import type { ReplyOutcome, ReplyPolicy } from './reply-policy.js';

export type { ReplyOutcome, ReplyPolicy } from './reply-policy.js';
export { interactionOf } from './interaction-of.js';

/** Errors `execute` rejects with; all are retryable (the delivery is retried later). */
export type ReplyToMessageError = MessageInProgressError | Error;

const MAX_STEPS = 12;

/**
 * Claim → history → complete → store → send → record, resumable from whatever a previous delivery
 * stored: a redelivered message never causes a second AI call or a second send.
 */
export class ReplyToMessage {
  constructor(
    // Every chat capability: it claims (reading who answers), reads the conversation and its agent replies, checks limits and spend, and reads settings.
    private readonly store: MessageLog & ConversationArchive & ChannelSettingsStore & SpendLedger & HandoffLog & AgentReplyLog,
    model: CompletionModel,
    private readonly channel: ReplyChannel,
    private readonly bus: MessageBus,
    private readonly clock: Clock,
    private readonly policy: ReplyPolicy,
    tokens: TokenCounter,
    transcriber: Transcriber,
    private readonly metrics: ReplyMetrics = NO_REPLY_METRICS,
    notifier: HandoffNotifier = NO_HANDOFF_NOTIFIER,
    tools?: ToolKit,
  ) {
    this.settings = new ChannelSettingsCache(store, clock, policy.settingsTtlMs);
    this.sender = new SendReply(store, channel, clock, policy, this.settings, new RequestHuman(store, bus, clock, notifier, policy.leaseMs));
    this.composer = new ComposeReply(store, model, tokens, clock, policy, tools);
    this.steps = { store, clock, policy, transcriber };
  }

  private readonly steps: GenerationSteps;

  private readonly settings: ChannelSettingsCache;
  private readonly composer: ComposeReply;
  private readonly sender: SendReply;

  async execute(message: InboundMessage): Promise<ReplyOutcome> {
    // Work beside the reply's critical path (a burst's folded messages are recorded while the
    // reply is sent): the delivery ends only once it is done, and fails when it failed.
    const beside: Promise<void>[] = [];
    let outcome: ReplyOutcome;
    try {
      outcome = await this.advance(message, beside);
    } catch (error) {
      await Promise.allSettled(beside);
      throw error;
    }
    await Promise.all(beside);
    return outcome;
  }

  private async advance(message: InboundMessage, beside: Promise<void>[]): Promise<ReplyOutcome> {
    const registered = await this.store.register(message, this.clock.now());
    let record = registered.record;
    let acted = registered.created;
    for (let step = 0; step < MAX_STEPS; step++) {
      const next = nextStep(record, this.clock.now());
      if (next === 'done') {
        const reason = record.failure?.reason ?? record.note;
        return { messageId: message.id, state: record.state, firstDelivery: acted, ...(reason ? { reason } : {}) };
      }
      if (next === 'wait') throw new MessageInProgressError(message.id);
      acted = true;
      record = await this.perform(next, record, beside);
    }
    throw new MessageInProgressError(message.id);
  }

  private perform(step: 'generate' | 'send' | 'mark-send-unknown' | 'record', record: MessageRecord, beside: Promise<void>[]): Promise<MessageRecord> {
    switch (step) {
      case 'generate':
        return this.generate(record, beside);
      case 'send':
        return this.sender.execute(record);
      case 'mark-send-unknown':
        return this.write(record, {
          state: 'send-unknown',
          leaseUntil: 0,
          failure: { stage: 'send', reason: SEND_OUTCOME_UNKNOWN },
        });
      case 'record':
        return this.record(record);
    }
  }

  private async generate(record: MessageRecord, beside: Promise<void>[]): Promise<MessageRecord> {
    const plan = planFor(record.message.content);
    if (plan.action === 'record-only') return this.write(record, { state: 'skipped', note: plan.reason });
    const settings = await effectiveSettings(this.policy, this.settings, record.message.accountId);

    // Answer in arrival order: an earlier message of the conversation goes first (and may fold this one in).
    const recent = await this.store.messages(record.message.conversationId, { limit: RECENT_MESSAGES });
    const awaited = awaitedEarlier(recent, record, this.clock.now(), this.policy.leaseMs, this.policy.coalesceWindowMs);
    if (awaited) throw new MessageInProgressError(record.message.id, awaited);
    const now = this.clock.now();
    // The claim reads who answers the conversation: a person who took it over gets the message (stored and shown), never the model.
    const claim = await this.store.claim(record.message.conversationId, record.message.id, record.version, {
      bot: { state: 'generating', leaseUntil: now + this.policy.leaseMs, attempts: record.attempts + 1, updatedAt: now },
      human: { state: 'skipped', note: 'human_mode', leaseUntil: 0, updatedAt: now },
    });
    if (!claim) return this.reload(record.message);
    if (claim.mode === 'human') {
      // Read, without the typing indicator the bot shows: the person will answer when they do.
      await this.channel.acknowledge(record.message, { typing: false });
      return claim.record;
    }
    let leased = claim.record;
    // The person asked for a person in so many words: no model call, the handoff text instead.
    if (plan.action === 'complete' && triggerIn(plan.prompt, settings.handoff.triggers) !== undefined) {
      await this.channel.acknowledge(record.message, { typing: false });
      return this.write(leased, { state: 'answered', leaseUntil: 0, reply: this.fixedReply(record.message, settings.handoff.text, 'handoff'), handoffRequest: { by: 'trigger' } });
    }
    const verdict = await checkLimits(this.store, record.message, settings, this.clock.now());
    if (verdict.kind === 'over') return this.overLimit(leased, verdict, settings);
    // A voice note is answered like text once transcribed, under the lease like the model call.
    const voiceNote = record.message.content.type === 'audio';
    if (plan.action === 'media-reply' && !voiceNote) return this.answerWithMediaReply(leased, settings.mediaReplyText);
    // A reply will follow: the person sees their message read, and typing (once, on the first attempt).
    if (leased.attempts === 1) await this.channel.acknowledge(record.message);
    const budget = new LeaseBudget(this.clock, record.message.id, leased.leaseUntil, this.policy.leaseMarginMs);

    let understood: Awaited<ReturnType<typeof understand>>;
    try {
      understood = await understand(this.steps, leased, budget);
    } catch (error) {
      // A voice note whose audio or transcript may come later goes back to the bus as before: it
      // spends deliveries (and may be dead-lettered and replayed), never the model's attempts.
      if (!(error instanceof MessageInProgressError)) await this.write(leased, { state: 'received', leaseUntil: 0 });
      throw error;
    }
    try {
      leased = understood.record;
      if (understood.plan.action !== 'complete') {
        return this.write(leased, { state: 'answered', leaseUntil: 0, reply: this.fixedReply(record.message, settings.mediaReplyText, 'media') });
      }
      // The first attempt's window runs from this first delivery at the earliest: a burst reaches the
      // worker with one shared delivery lag, so its later messages still land inside the window.
      const windowFrom = leased.attempts === 1 ? Math.max(record.message.receivedAt, now) : record.message.receivedAt;
      const folded = await foldBurst(this.steps, leased, budget, windowFrom);
      leased = folded.record;
      // Their outcome is final: recorded now, not when their own nacked deliveries come back after the bus's backoff.
      for (const settled of folded.settled) beside.push(settledLater(this.record(settled).then(() => undefined)));
      // The history comes from the freshest read of the conversation when it holds all of it.
      const ledger = this.ledgerOf(leased);
      let composed;
      try {
        composed = await this.composer.compose(
          record.message,
          [understood.plan.prompt, ...folded.prompts],
          settings,
          budget,
          folded.recent ?? recent,
          everHandedOff(claim.handoff),
          ledger,
        );
      } finally {
        leased = ledger.record;
      }
      if (composed.kind === 'capped') return this.overLimit(leased, await spendCapped(this.store, record.message, this.clock.now()), settings);
      // A blocked reply (it leaked the prompt or a secret) is replaced and recorded as such.
      const failure: Failure | undefined = composed.kind === 'blocked' ? { stage: 'generate', reason: 'output_blocked' } : undefined;
      // The model called `request_human`: its answer is the handoff text, sent once the conversation waits for a person.
      const handoffRequest = composed.kind === 'handoff' ? { handoffRequest: { by: 'tool' as const } } : {};
      // Its cost is counted in the same write: never without the reply, never twice.
      return await this.write(leased, { state: 'answered', leaseUntil: 0, reply: composed.reply, failure, ...handoffRequest }, this.composer.settlementOf(record.message, composed));
    } catch (error) {
      // Not a failure: the lease was lost, or this message stepped back for an earlier one.
      if (error instanceof MessageInProgressError) throw error;
      const failure: Failure = { stage: 'generate', reason: reasonOf(error) };
      if (isRetryable(error) && leased.attempts < this.policy.maxAttempts) {
        await this.write(leased, { state: 'received', leaseUntil: 0, failure });
        throw error;
      }
      const reply = this.fixedReply(record.message, settings.fallbackText, 'fallback');
      return this.write(leased, { state: 'answered', leaseUntil: 0, reply, failure });
    }
  }

  /** The reply's tool rounds, stored on the message by compare-and-set: `record` follows each write. */
  private ledgerOf(leased: MessageRecord): ToolLedger & { record: MessageRecord } {
    const { store, clock } = this;
    return {
      record: leased,
      get rounds() {
        return this.record.toolRounds ?? [];
      },
      async save(rounds) {
        const { message, version } = this.record;
        const next = await store.transition(message.conversationId, message.id, version, { toolRounds: rounds, updatedAt: clock.now() });
        // Lost the lease meanwhile: the taker-over continues from what is stored.
        if (!next) throw new MessageInProgressError(message.id);
        this.record = next;
      },
    };
  }

  /** Media without text: the media reply, acknowledged (a reply follows) by the delivery that stored it. */
  private async answerWithMediaReply(record: MessageRecord, text: string): Promise<MessageRecord> {
    const { message } = record;
    const answered = await this.store.transition(message.conversationId, message.id, record.version, {
      state: 'answered',
      leaseUntil: 0,
      reply: this.fixedReply(message, text, 'media'),
      updatedAt: this.clock.now(),
    });
    if (!answered) return this.reload(message);
    await this.channel.acknowledge(message);
    return answered;
  }


  private async record(record: MessageRecord): Promise<MessageRecord> {
    const facts = [interactionOf(record), ...toolCallFactsOf(record)];
    await this.bus.publish('interactions', facts.map((event) => ({ event, orderingKey: record.message.conversationId })));
    const recorded = await this.write(record, { recorded: true });
    // Counted once the record says so: a store failure before it leaves the count to the redelivery.
    const { reply } = record;
    this.metrics.replyRecorded({ channel: record.message.channel, outcome: record.state, ...(reply ? { latencyMs: reply.latencyMs } : {}) });
    return recorded;
  }

  /** No model call over a limit: the polite reply once per window, silence after that. */
  private overLimit(record: MessageRecord, verdict: OverLimit, settings: EffectiveSettings): Promise<MessageRecord> {
    return verdict.replyOnce
      ? this.write(record, { state: 'answered', leaseUntil: 0, reply: this.fixedReply(record.message, settings.limitReplyText, 'limit'), note: verdict.reason })
      : this.write(record, { state: 'skipped', leaseUntil: 0, note: verdict.reason });
  }

  private fixedReply(message: InboundMessage, text: string, kind: Reply['kind']): Reply {
    const at = this.clock.now();
    return { text, kind, usage: { prompt: 0, completion: 0 }, costUsd: 0, latencyMs: at - message.receivedAt, createdAt: at };
  }

  /** Compare-and-set; when another delivery wrote first, continue from what it stored. */
  private async write(record: MessageRecord, patch: MessagePatch, settlement?: SpendSettlement): Promise<MessageRecord> {
    const next = await this.store.transition(record.message.conversationId, record.message.id, record.version, { ...patch, updatedAt: this.clock.now() }, settlement);
    return next ?? this.reload(record.message);
  }

  private async reload(message: InboundMessage): Promise<MessageRecord> {
    return (await this.store.register(message, this.clock.now())).record;
  }
}

/** A promise waited for later: its rejection is handled then, not reported as unhandled meanwhile. */
function settledLater(work: Promise<void>): Promise<void> {
  work.catch(() => undefined);
  return work;
}
