import type { MessageRecord } from '../../domain/model/message-record.js';
import { textOf } from '../../domain/model/message.js';
import { noteText } from '../note-text.js';
import type { Transcript } from '../../domain/use-cases/get-transcript.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** The transcript as the API shows it: times in ISO 8601, absent fields as null. */
export function transcriptBody({ conversation, messages, truncated }: Transcript) {
  return {
    conversation: { ...conversation, createdAt: iso(conversation.createdAt), lastMessageAt: iso(conversation.lastMessageAt) },
    messages: messages.map(transcriptEntry),
    truncated,
  };
}

function transcriptEntry(record: MessageRecord) {
  const { message, reply } = record;
  return {
    id: message.id,
    type: message.content.type,
    text: textOf(message.content) ?? null,
    transcript: record.transcript ?? null,
    content: message.content,
    sentAt: iso(message.sentAt),
    receivedAt: iso(message.receivedAt),
    state: record.state,
    reply: reply
      ? { text: reply.text, kind: reply.kind, model: reply.model ?? null, usage: reply.usage, costUsd: reply.costUsd, latencyMs: reply.latencyMs, createdAt: iso(reply.createdAt) }
      : null,
    outboundIds: record.outboundIds,
    delivery: record.delivery ? { ...record.delivery, at: iso(record.delivery.at) } : null,
    failure: record.failure ?? null,
    note: noteText(record),
    foldedInto: record.foldedInto ?? null,
    templateFallback: record.templateFallback ?? null,
  };
}
