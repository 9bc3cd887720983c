import { nextAgentStep, type AgentReply, type AgentReplyPatch } from '../model/agent-reply.js';
import { isRetryable, MessageInProgressError } from '../model/errors.js';
import { userKeyFor } from '../model/ids.js';
import type { AgentReplyInteraction } from '../model/interaction.js';
import type { MessageRecord } from '../model/message-record.js';
import type { AgentReplyLog } from '../ports/agent-reply-log.js';
import type { Clock } from '../ports/clock.js';
import type { MessageBus } from '../ports/message-bus.js';
import type { MessageLog } from '../ports/message-log.js';
import { SEND_OUTCOME_UNKNOWN, type ReplyChannel, type SendResult } from '../ports/reply-channel.js';
import { reasonOf } from './interaction-of.js';

export interface AgentReplyPolicy {
  leaseMs: number;
  /** Sends that failed before the request left are tried this often. */
  maxSendAttempts: number;
}

export type AgentReplyOutcome = { state: AgentReply['state'] | 'gone'; firstDelivery: boolean };

const MAX_STEPS = 6;

/**
 * Sends an agent's stored reply through the conversation's channel exactly once, by the same rules
 * as a bot reply: claimed (`sending`, under a lease) before the send, its result written after it;
 * a send whose answer was lost, or whose sender died, is `send-unknown` and never sent again.
 */
export class SendAgentReply {
  constructor(
    private readonly store: AgentReplyLog & MessageLog,
    private readonly channel: ReplyChannel,
    private readonly bus: MessageBus,
    private readonly clock: Clock,
    private readonly policy: AgentReplyPolicy,
  ) {}

  async execute(conversationId: string, replyId: string): Promise<AgentReplyOutcome> {
    let reply = await this.store.findAgentReply(conversationId, replyId);
    // Erased with its conversation: nothing to send.
    if (!reply) return { state: 'gone', firstDelivery: false };
    let acted = false;
    for (let step = 0; step < MAX_STEPS; step++) {
      const next = nextAgentStep(reply, this.clock.now());
      if (next === 'done') return { state: reply.state, firstDelivery: acted };
      if (next === 'wait') throw new MessageInProgressError(replyId);
      acted = true;
      if (next === 'mark-send-unknown') reply = await this.write(reply, { state: 'send-unknown', leaseUntil: 0, failureReason: SEND_OUTCOME_UNKNOWN, settledAt: this.clock.now() });
      else if (next === 'record') reply = await this.record(reply);
      else reply = await this.send(reply);
      if (!reply) return { state: 'gone', firstDelivery: acted };
    }
    throw new MessageInProgressError(replyId);
  }

  private async send(reply: AgentReply): Promise<AgentReply | null> {
    const inReplyTo = await this.store.findMessage(reply.conversationId, reply.inReplyTo);
    const now = this.clock.now();
    if (!inReplyTo) return this.write(reply, { state: 'failed', failureReason: 'conversation_not_found', settledAt: now });
    const leased = await this.store.transitionAgentReply(reply.conversationId, reply.id, reply.version, { state: 'sending', leaseUntil: now + this.policy.leaseMs, updatedAt: now });
    if (!leased) return this.reload(reply);
    let result: SendResult;
    try {
      result = await this.sendThrough(leased, inReplyTo);
    } catch (error) {
      const reason = reasonOf(error);
      const settledAt = this.clock.now();
      // It may have reached the person: reported as unknown, never sent again.
      if (reason === SEND_OUTCOME_UNKNOWN) return this.write(leased, { state: 'send-unknown', leaseUntil: 0, failureReason: reason, settledAt });
      if (isRetryable(error) && this.attemptsOf(leased) < this.policy.maxSendAttempts) {
        await this.write(leased, { state: 'queued', leaseUntil: 0, failureReason: reason, sendAttempts: this.attemptsOf(leased) + 1 });
        throw error;
      }
      return this.write(leased, { state: 'failed', leaseUntil: 0, failureReason: reason, settledAt });
    }
    const settledAt = this.clock.now();
    // Written once, with the ids: a store failure here leaves it `sending` under its lease, so it turns unknown rather than being sent again.
    return result.kind === 'sent'
      ? this.write(leased, { state: 'sent', leaseUntil: 0, outboundIds: result.outboundIds, failureReason: undefined, settledAt })
      : this.write(leased, { state: 'failed', leaseUntil: 0, failureReason: result.reason, settledAt });
  }

  private sendThrough(reply: AgentReply, inReplyTo: MessageRecord): Promise<SendResult> {
    return reply.template ? this.channel.sendTemplate(inReplyTo.message, reply.template) : this.channel.send({ inReplyTo: inReplyTo.message, text: reply.text, part: 0, parts: 1, agent: { replyId: reply.id, name: reply.agent } });
  }

  private attemptsOf(reply: AgentReply): number {
    return reply.sendAttempts ?? 0;
  }

  private async record(reply: AgentReply): Promise<AgentReply | null> {
    const inReplyTo = await this.store.findMessage(reply.conversationId, reply.inReplyTo);
    // Erased since: its fact would name an erased person.
    if (inReplyTo) await this.bus.publish('interactions', [{ event: agentReplyFactOf(reply, inReplyTo), orderingKey: reply.conversationId }]);
    return this.write(reply, { recorded: true });
  }

  /** Compare-and-set; when another delivery wrote first, continue from what it stored. */
  private async write(reply: AgentReply, patch: AgentReplyPatch): Promise<AgentReply | null> {
    const next = await this.store.transitionAgentReply(reply.conversationId, reply.id, reply.version, { ...patch, updatedAt: this.clock.now() });
    return next ?? this.reload(reply);
  }

  private reload(reply: AgentReply): Promise<AgentReply | null> {
    return this.store.findAgentReply(reply.conversationId, reply.id);
  }
}

export function agentReplyFactOf(reply: AgentReply, inReplyTo: MessageRecord): AgentReplyInteraction {
  const { message } = inReplyTo;
  const settledAt = reply.settledAt ?? reply.updatedAt;
  return {
    type: 'agent-reply',
    eventId: `agent-reply:${reply.conversationId}:${reply.id}`,
    occurredAt: settledAt,
    channel: message.channel,
    accountId: message.accountId,
    conversationId: reply.conversationId,
    userKey: userKeyFor(message.channel, message.accountId, message.participant.id),
    replyId: reply.id,
    outcome: reply.state as AgentReplyInteraction['outcome'],
    ...(reply.state === 'failed' || reply.state === 'send-unknown' ? { failureReason: (reply.failureReason ?? 'unexpected_error') as AgentReplyInteraction['failureReason'] } : {}),
    latencyMs: Math.max(0, settledAt - reply.createdAt),
  };
}
