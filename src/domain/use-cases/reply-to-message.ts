import { isRetryable, MessageInProgressError } from '../model/errors.js';
import { userKeyFor } from '../model/ids.js';
import type { MessageInteraction } from '../model/interaction.js';
import { planFor, type InboundMessage } from '../model/message.js';
import { nextStep, type Failure, type MessagePatch, type MessageRecord, type MessageState } from '../model/message-record.js';
import { costOf, type ModelPrice, type Reply } from '../model/reply.js';
import type { ChatStore } from '../ports/chat-store.js';
import type { Clock } from '../ports/clock.js';
import type { CompletionModel } from '../ports/completion-model.js';
import type { MessageBus } from '../ports/message-bus.js';
import type { ReplyChannel } from '../ports/reply-channel.js';
import { buildTurns } from './build-turns.js';

export interface ReplyPolicy {
  systemPrompt: string;
  model?: string;
  maxTokens: number;
  /** Earlier messages of the conversation given to the model. */
  historyMessages: number;
  /** How long a delivery owns a message while generating or sending. */
  leaseMs: number;
  /** Generation attempts before the fallback reply is sent instead. */
  maxAttempts: number;
  /** Send attempts before the reply is recorded as failed. */
  maxSendAttempts: number;
  fallbackText: string;
  mediaReplyText: string;
  prices: Readonly<Record<string, ModelPrice>>;
}

export interface ReplyOutcome {
  messageId: string;
  state: MessageState;
  /** False when this delivery found the work already done. */
  firstDelivery: boolean;
  /** Why the reply was not sent, or what failed (a stable reason, never content). */
  reason?: string;
}

/** Errors `execute` rejects with; all are retryable (the delivery is retried later). */
export type ReplyToMessageError = MessageInProgressError | Error;

const MAX_STEPS = 12;

/**
 * Claim → history → complete → store → send → record, resumable from whatever a previous delivery
 * stored: a redelivered message never causes a second AI call or a second send.
 */
export class ReplyToMessage {
  constructor(
    private readonly store: ChatStore,
    private readonly model: CompletionModel,
    private readonly channel: ReplyChannel,
    private readonly bus: MessageBus,
    private readonly clock: Clock,
    private readonly policy: ReplyPolicy,
  ) {}

  async execute(message: InboundMessage): Promise<ReplyOutcome> {
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
      record = await this.perform(next, record);
    }
    throw new MessageInProgressError(message.id);
  }

  private perform(step: 'generate' | 'send' | 'mark-send-unknown' | 'record', record: MessageRecord): Promise<MessageRecord> {
    switch (step) {
      case 'generate':
        return this.generate(record);
      case 'send':
        return this.send(record);
      case 'mark-send-unknown':
        return this.write(record, {
          state: 'send-unknown',
          leaseUntil: 0,
          failure: { stage: 'send', reason: 'send-outcome-unknown' },
        });
      case 'record':
        return this.record(record);
    }
  }

  private async generate(record: MessageRecord): Promise<MessageRecord> {
    const plan = planFor(record.message.content);
    if (plan.action === 'record-only') return this.write(record, { state: 'skipped', note: plan.reason });
    if (plan.action === 'media-reply') {
      return this.write(record, { state: 'answered', reply: this.fixedReply(record.message, this.policy.mediaReplyText, 'media') });
    }

    const now = this.clock.now();
    const leased = await this.store.transition(record.message.conversationId, record.message.id, record.version, {
      state: 'generating',
      leaseUntil: now + this.policy.leaseMs,
      attempts: record.attempts + 1,
      updatedAt: now,
    });
    if (!leased) return this.reload(record.message);

    try {
      const history = await this.store.history(record.message.conversationId, {
        before: record.message.receivedAt,
        limit: this.policy.historyMessages,
      });
      const completion = await this.model.complete(
        {
          systemPrompt: this.policy.systemPrompt,
          turns: buildTurns(history, plan.prompt),
          maxTokens: this.policy.maxTokens,
          ...(this.policy.model ? { model: this.policy.model } : {}),
        },
        { signal: AbortSignal.timeout(Math.max(1, Math.floor(this.policy.leaseMs * 0.8))) },
      );
      const at = this.clock.now();
      const reply: Reply = {
        text: completion.text,
        kind: 'ai',
        model: completion.model,
        usage: completion.usage,
        costUsd: costOf(completion.usage, this.policy.prices[completion.model]),
        latencyMs: at - record.message.receivedAt,
        createdAt: at,
      };
      return await this.write(leased, { state: 'answered', leaseUntil: 0, reply, failure: undefined });
    } catch (error) {
      const failure: Failure = { stage: 'generate', reason: reasonOf(error) };
      if (isRetryable(error) && leased.attempts < this.policy.maxAttempts) {
        await this.write(leased, { state: 'received', leaseUntil: 0, failure });
        throw error;
      }
      const reply = this.fixedReply(record.message, this.policy.fallbackText, 'fallback');
      return this.write(leased, { state: 'answered', leaseUntil: 0, reply, failure });
    }
  }

  private async send(record: MessageRecord): Promise<MessageRecord> {
    const now = this.clock.now();
    const leased = await this.store.transition(record.message.conversationId, record.message.id, record.version, {
      state: 'sending',
      leaseUntil: now + this.policy.leaseMs,
      sendAttempts: record.sendAttempts + 1,
      updatedAt: now,
    });
    if (!leased) return this.reload(record.message);

    try {
      const result = await this.channel.send({ inReplyTo: record.message, text: leased.reply!.text });
      // A send failure that a retry overcame is history; a generation failure (fallback) stays.
      const failure = leased.failure?.stage === 'generate' ? leased.failure : undefined;
      return result.kind === 'sent'
        ? await this.write(leased, { state: 'sent', leaseUntil: 0, outboundIds: result.outboundIds, failure })
        : await this.write(leased, { state: 'unsent', leaseUntil: 0, note: result.reason, failure });
    } catch (error) {
      const failure: Failure = { stage: 'send', reason: reasonOf(error) };
      if (isRetryable(error) && leased.sendAttempts < this.policy.maxSendAttempts) {
        // Keep a generation failure (the fallback's reason) across send retries.
        await this.write(leased, { state: 'answered', leaseUntil: 0, failure: leased.failure?.stage === 'generate' ? leased.failure : failure });
        throw error;
      }
      return this.write(leased, { state: 'failed', leaseUntil: 0, failure });
    }
  }

  private async record(record: MessageRecord): Promise<MessageRecord> {
    await this.bus.publish('interactions', [{ event: interactionOf(record), orderingKey: record.message.conversationId }]);
    return this.write(record, { recorded: true });
  }

  private fixedReply(message: InboundMessage, text: string, kind: Reply['kind']): Reply {
    const at = this.clock.now();
    return { text, kind, usage: { prompt: 0, completion: 0 }, costUsd: 0, latencyMs: at - message.receivedAt, createdAt: at };
  }

  /** Compare-and-set; when another delivery wrote first, continue from what it stored. */
  private async write(record: MessageRecord, patch: MessagePatch): Promise<MessageRecord> {
    const next = await this.store.transition(record.message.conversationId, record.message.id, record.version, {
      ...patch,
      updatedAt: this.clock.now(),
    });
    return next ?? this.reload(record.message);
  }

  private async reload(message: InboundMessage): Promise<MessageRecord> {
    return (await this.store.register(message, this.clock.now())).record;
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'unexpected-error';
}

export function interactionOf(record: MessageRecord): MessageInteraction {
  const { message, reply } = record;
  const failureReason = record.failure?.reason ?? (record.state === 'unsent' ? 'reply-channel-not-configured' : undefined);
  return {
    type: 'message',
    eventId: `message:${message.channel}:${message.id}`,
    occurredAt: record.updatedAt,
    channel: message.channel,
    accountId: message.accountId,
    conversationId: message.conversationId,
    userKey: userKeyFor(message.channel, message.accountId, message.participant.id),
    messageId: message.id,
    messageType: message.content.type,
    receivedAt: message.receivedAt,
    outcome: record.state as MessageInteraction['outcome'],
    usage: reply?.usage ?? { prompt: 0, completion: 0 },
    costUsd: reply?.costUsd ?? 0,
    ...(reply ? { replyKind: reply.kind, latencyMs: reply.latencyMs } : {}),
    ...(reply?.model ? { model: reply.model } : {}),
    ...(failureReason ? { failureReason } : {}),
  };
}
