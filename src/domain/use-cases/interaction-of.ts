import { userKeyFor } from '../model/ids.js';
import { maskedParticipant } from '../model/masked-participant.js';
import type { MessageInteraction, ToolCallInteraction } from '../model/interaction.js';
import { callsOf } from '../model/tool-call.js';
import type { MessageRecord } from '../model/message-record.js';
import { DomainError } from '../model/errors.js';
import type { FailureReason } from '../model/reasons.js';

/** The stable reason of a failure: a domain error's own reason; anything else is unexpected. */
export function reasonOf(error: unknown): FailureReason {
  return error instanceof DomainError ? error.reason : 'unexpected_error';
}

export function interactionOf(record: MessageRecord): MessageInteraction {
  const { message, reply } = record;
  const failureReason = record.failure?.reason ?? (record.state === 'unsent' ? 'reply_channel_not_configured' : undefined);
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
    participant: maskedParticipant(message.channel, message.participant.id),
    ...(message.participant.name ? { profileName: message.participant.name } : {}),
  };
}

/** One fact per tool call the reply made (a call still `calling` when the reply ended never got its answer: unknown). */
export function toolCallFactsOf(record: MessageRecord): ToolCallInteraction[] {
  const { message } = record;
  return callsOf(record.toolRounds).map((call) => {
    const outcome = call.state === 'calling' ? 'unknown' : call.state;
    const failureReason = call.state === 'calling' ? 'tool_outcome_unknown' : call.reason;
    return {
      type: 'tool-call',
      eventId: `tool:${call.callId}`,
      occurredAt: call.startedAt + (call.latencyMs ?? 0),
      channel: message.channel,
      accountId: message.accountId,
      conversationId: message.conversationId,
      userKey: userKeyFor(message.channel, message.accountId, message.participant.id),
      callId: call.callId,
      messageId: message.id,
      // A name the model made up is kept short: analytics refuse longer ones.
      tool: call.name.slice(0, 64) || '(unnamed)',
      outcome,
      ...(failureReason && outcome !== 'ok' ? { failureReason } : {}),
      ...(call.latencyMs !== undefined ? { latencyMs: call.latencyMs } : {}),
    };
  });
}
