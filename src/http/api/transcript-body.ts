import type { AgentReply } from '../../domain/model/agent-reply.js';
import { BOT_HANDOFF, type Handoff } from '../../domain/model/handoff.js';
import type { MessageRecord } from '../../domain/model/message-record.js';
import { textOf } from '../../domain/model/message.js';
import { noteText } from '../note-text.js';
import { ValidationError } from '../../domain/model/errors.js';
import { maskedParticipant } from '../../domain/model/masked-participant.js';
import type { TranscriptPosition } from '../../domain/ports/conversation-archive.js';
import type { TranscriptPage, TranscriptToolCall } from '../../domain/use-cases/get-transcript.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** A page of the transcript as the API shows it: times in ISO 8601, absent fields as null, an opaque cursor to the next. */
export function transcriptBody({ conversation, messages, agentReplies, toolCalls, next }: TranscriptPage, participant: 'masked' | 'full' = 'masked') {
  // The whole number stays in the chat store unless an admin asks for it.
  const shown = participant === 'full' ? conversation.participant : { ...conversation.participant, id: maskedParticipant(conversation.channel, conversation.participant.id) };
  return {
    conversation: {
      ...conversation,
      participant: shown,
      createdAt: iso(conversation.createdAt),
      lastMessageAt: iso(conversation.lastMessageAt),
      handoff: handoffBody(conversation.handoff ?? BOT_HANDOFF),
    },
    messages: messages.map((record) =>
      transcriptEntry(
        record,
        toolCalls.filter((call) => call.messageId === record.message.id),
        agentReplies.filter((reply) => reply.inReplyTo === record.message.id),
      ),
    ),
    nextCursor: next ? encodeTranscriptCursor(next) : null,
  };
}

export const encodeTranscriptCursor = (p: TranscriptPosition): string => Buffer.from(JSON.stringify([p.receivedAt, p.sentAt, p.id])).toString('base64url');

/** The position a cursor names; a cursor this API did not make is refused. */
export function decodeTranscriptCursor(cursor: string): TranscriptPosition {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (Array.isArray(value) && value.length === 3 && Number.isFinite(value[0]) && Number.isFinite(value[1]) && typeof value[2] === 'string' && value[2].length > 0) {
    return { receivedAt: value[0], sentAt: value[1], id: value[2] };
  }
  throw new ValidationError('cursor is not valid: pass the nextCursor of the previous page');
}

/** Who answers the conversation, as the API shows it. */
export function handoffBody(handoff: Handoff) {
  return {
    mode: handoff.mode,
    agent: handoff.agent ?? null,
    since: handoff.since > 0 ? iso(handoff.since) : null,
    waitingSince: handoff.waitingSince !== undefined ? iso(handoff.waitingSince) : null,
    requestedBy: handoff.requestedBy ?? null,
  };
}

/** A reply a person wrote, as the transcript shows it after the message it follows. */
export function agentReplyBody(reply: AgentReply) {
  return {
    id: reply.id,
    role: 'agent' as const,
    agent: reply.agent,
    text: reply.text,
    template: reply.template ?? null,
    state: reply.state,
    createdAt: iso(reply.createdAt),
    settledAt: reply.settledAt !== undefined ? iso(reply.settledAt) : null,
    outboundIds: reply.outboundIds,
    failureReason: reply.failureReason ?? null,
  };
}

/** A tool the model called for a message, as the transcript shows it between the message and its reply. */
export function toolCallBody(call: TranscriptToolCall) {
  return {
    role: 'tool' as const,
    tool: call.tool,
    callId: call.callId,
    arguments: call.arguments,
    state: call.state,
    answer: call.answer ?? null,
    reason: call.reason ?? null,
    latencyMs: call.latencyMs ?? null,
    at: iso(call.at),
  };
}

function transcriptEntry(record: MessageRecord, toolCalls: readonly TranscriptToolCall[], agentReplies: readonly AgentReply[]) {
  const { message, reply } = record;
  return {
    id: message.id,
    role: 'user' as const,
    type: message.content.type,
    text: textOf(message.content) ?? null,
    transcript: record.transcript ?? null,
    content: message.content,
    sentAt: iso(message.sentAt),
    receivedAt: iso(message.receivedAt),
    state: record.state,
    toolCalls: toolCalls.map(toolCallBody),
    reply: reply
      ? { role: 'assistant' as const, text: reply.text, kind: reply.kind, model: reply.model ?? null, usage: reply.usage, costUsd: reply.costUsd, latencyMs: reply.latencyMs, createdAt: iso(reply.createdAt) }
      : null,
    outboundIds: record.outboundIds,
    delivery: record.delivery ? { ...record.delivery, at: iso(record.delivery.at) } : null,
    failure: record.failure ?? null,
    note: noteText(record),
    foldedInto: record.foldedInto ?? null,
    templateFallback: record.templateFallback ?? null,
    agentReplies: agentReplies.map(agentReplyBody),
  };
}
