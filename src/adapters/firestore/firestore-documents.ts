import type { DocumentData } from '@google-cloud/firestore';
import type { Conversation } from '../../domain/model/conversation.js';
import type { MessagePatch, MessageRecord } from '../../domain/model/message-record.js';
import { ValidationError } from '../../domain/model/errors.js';
import { currentRecord } from '../codec/stored-reasons.js';

/** Every MessageRecord field: a field added to the model fails to compile here until it is mapped. */
const RECORD_FIELDS = Object.keys({
  message: true,
  state: true,
  version: true,
  attempts: true,
  sendAttempts: true,
  leaseUntil: true,
  reply: true,
  outboundIds: true,
  delivery: true,
  failure: true,
  note: true,
  foldedInto: true,
  templateFallback: true,
  transcript: true,
  folded: true,
  recorded: true,
  resolved: true,
  windowTemplate: true,
  updatedAt: true,
} satisfies Record<keyof MessageRecord, true>) as (keyof MessageRecord)[];

const PATCHABLE_FIELDS: ReadonlySet<string> = new Set(RECORD_FIELDS.filter((field) => field !== 'message' && field !== 'version'));

/**
 * A Firestore-safe document id for a channel's id. Wamids are base64-like and may contain `/`;
 * `encodeURIComponent` is injective and leaves only `.`, `..` and `__…__` to guard. Those get a
 * percent escape it never produces itself (`%2E`, `%5F`), so the mapping stays injective.
 */
export function encodeDocId(id: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(id);
  } catch {
    throw new ValidationError('an id is not well-formed Unicode');
  }
  if (encoded === '') throw new ValidationError('an id is empty');
  if (encoded === '.' || encoded === '..') return encoded.replaceAll('.', '%2E');
  if (/^__.*__$/.test(encoded)) return `%5F${encoded.slice(1)}`;
  return encoded;
}

/** A deep copy without `undefined` properties: what Firestore stores and gives back. */
export function plain<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => plain(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) copy[key] = plain(item);
  return copy as T;
}

/** The stored message document: the record plus top-level ordering fields and the TTL field. */
export function messageDocument(record: MessageRecord, expireAt: unknown): DocumentData {
  return { ...plain(record), receivedAt: record.message.receivedAt, sentAt: record.message.sentAt, expireAt };
}

/** Exactly the domain record: storage-only fields (receivedAt, sentAt, expireAt) do not leak; old reason spellings are read as today's. */
export function recordFrom(data: DocumentData): MessageRecord {
  const record: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) if (data[field] !== undefined) record[field] = data[field];
  return currentRecord(record as unknown as MessageRecord);
}

/** The record after `patch`: a patch field set to `undefined` removes the field. */
export function patched(current: MessageRecord, patch: MessagePatch): MessageRecord {
  const next: Record<string, unknown> = { ...current, version: current.version + 1 };
  for (const [field, value] of Object.entries(patch)) {
    if (!PATCHABLE_FIELDS.has(field)) continue;
    if (value === undefined) delete next[field];
    else next[field] = plain(value);
  }
  return next as unknown as MessageRecord;
}

/** The update data of `patch`, with `deleted` standing for a removed field (FieldValue.delete()). */
export function patchUpdate(patch: MessagePatch, deleted: unknown): DocumentData {
  const data: DocumentData = {};
  for (const [field, value] of Object.entries(patch)) {
    if (PATCHABLE_FIELDS.has(field)) data[field] = value === undefined ? deleted : plain(value);
  }
  return data;
}

export function conversationFrom(id: string, data: DocumentData): Conversation {
  return {
    id,
    channel: data.channel,
    accountId: data.accountId,
    participant: data.participant,
    createdAt: data.createdAt,
    lastMessageAt: data.lastMessageAt,
    messageCount: data.messageCount,
  };
}

