import type { MessageRecord } from '../../domain/model/message-record.js';
import { textOf } from '../../domain/model/message.js';
import { noteText } from '../note-text.js';
import { ValidationError } from '../../domain/model/errors.js';
import { maskedParticipant } from '../../domain/model/masked-participant.js';
import type { TranscriptPosition } from '../../domain/ports/conversation-archive.js';
import type { TranscriptPage } from '../../domain/use-cases/get-transcript.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** A page of the transcript as the API shows it: times in ISO 8601, absent fields as null, an opaque cursor to the next. */
export function transcriptBody({ conversation, messages, next }: TranscriptPage, participant: 'masked' | 'full' = 'masked') {
  // The whole number stays in the chat store unless an admin asks for it.
  const shown = participant === 'full' ? conversation.participant : { ...conversation.participant, id: maskedParticipant(conversation.channel, conversation.participant.id) };
  return {
    conversation: { ...conversation, participant: shown, createdAt: iso(conversation.createdAt), lastMessageAt: iso(conversation.lastMessageAt) },
    messages: messages.map(transcriptEntry),
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

function transcriptEntry(record: MessageRecord) {
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
    reply: reply
      ? { role: 'assistant' as const, text: reply.text, kind: reply.kind, model: reply.model ?? null, usage: reply.usage, costUsd: reply.costUsd, latencyMs: reply.latencyMs, createdAt: iso(reply.createdAt) }
      : null,
    outboundIds: record.outboundIds,
    delivery: record.delivery ? { ...record.delivery, at: iso(record.delivery.at) } : null,
    failure: record.failure ?? null,
    note: noteText(record),
    foldedInto: record.foldedInto ?? null,
    templateFallback: record.templateFallback ?? null,
  };
}
