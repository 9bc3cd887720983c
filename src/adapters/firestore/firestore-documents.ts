import type { DocumentData, DocumentSnapshot } from '@google-cloud/firestore';
import type { Conversation } from '../../domain/model/conversation.js';
import { BOT_HANDOFF, type Handoff } from '../../domain/model/handoff.js';
import type { MessagePatch, MessageRecord } from '../../domain/model/message-record.js';
import type { ToolRound } from '../../domain/model/tool-call.js';
import { asJsonText, fromJsonText } from './firestore-json-text.js';
import { ValidationError } from '../../domain/model/errors.js';
import { conversationSchema, decode, handoffSchema, messageRecordSchema } from './firestore-schemas.js';
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
  handoffRequest: true,
  toolRounds: true,
  updatedAt: true,
} satisfies Record<keyof MessageRecord, true>) as (keyof MessageRecord)[];

const PATCHABLE: readonly (keyof MessagePatch)[] = RECORD_FIELDS.filter((field): field is keyof MessagePatch => field !== 'message' && field !== 'version');
const PATCHABLE_FIELDS: ReadonlySet<string> = new Set(PATCHABLE);

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
  const document: DocumentData = { ...plain(record), receivedAt: record.message.receivedAt, sentAt: record.message.sentAt, expireAt };
  if (record.toolRounds) document.toolRounds = storedRounds(record.toolRounds);
  return document;
}

/** Exactly the domain record, decoded (old reason spellings read as today's): storage-only fields (receivedAt, sentAt, expireAt) do not leak. */
export function recordFrom(snapshot: Pick<DocumentSnapshot, 'ref' | 'data'>): MessageRecord {
  return currentRecord(decode(messageRecordSchema, { ref: snapshot.ref, data: () => withParsedArguments(snapshot.data()) }));
}

/**
 * A tool call's arguments are the model's JSON, which may hold an array directly inside an array:
 * Firestore refuses those, so they are stored as JSON text (`argumentsJson`) and parsed back on read.
 */
function storedRounds(rounds: readonly ToolRound[]): DocumentData[] {
  return rounds.map((round) => plain({ ...round, calls: round.calls.map(({ arguments: args, ...call }) => ({ ...call, argumentsJson: asJsonText(args) })) }));
}

function withParsedArguments(data: DocumentData | undefined): DocumentData | undefined {
  const rounds = data?.toolRounds as { calls?: { argumentsJson?: unknown }[] }[] | undefined;
  if (!Array.isArray(rounds)) return data;
  const parsed = rounds.map((round) => ({
    ...round,
    calls: (round.calls ?? []).map(({ argumentsJson, ...call }) => ({ ...call, arguments: typeof argumentsJson === 'string' ? fromJsonText(argumentsJson) : argumentsJson })),
  }));
  return { ...data, toolRounds: parsed };
}

/** The record after `patch`: a patch field set to `undefined` removes the field. */
export function patched(current: MessageRecord, patch: MessagePatch): MessageRecord {
  const next: MessageRecord = { ...current, version: current.version + 1 };
  for (const field of PATCHABLE) if (Object.hasOwn(patch, field)) setField(next, field, patch[field]);
  return next;
}

function setField<K extends keyof MessagePatch>(target: MessagePatch, field: K, value: MessagePatch[K]): void {
  if (value === undefined) delete target[field];
  else target[field] = plain(value);
}

/** The update data of `patch`, with `deleted` standing for a removed field (FieldValue.delete()). */
export function patchUpdate(patch: MessagePatch, deleted: unknown): DocumentData {
  const data: DocumentData = {};
  for (const [field, value] of Object.entries(patch)) {
    if (!PATCHABLE_FIELDS.has(field)) continue;
    data[field] = value === undefined ? deleted : field === 'toolRounds' ? storedRounds(value as ToolRound[]) : plain(value);
  }
  return data;
}

/** The conversation stored under `id`, decoded (its storage-only fields dropped), with its handoff when given. */
export function conversationFrom(id: string, snapshot: Pick<DocumentSnapshot, 'ref' | 'data'>, handoff?: Handoff): Conversation {
  const conversation: Conversation = { id, ...decode(conversationSchema, snapshot) };
  return handoff ? { ...conversation, handoff } : conversation;
}

/** The handoff its document holds, or the bot's when nothing changed it yet (no document). */
export function handoffFrom(snapshot: DocumentSnapshot): Handoff {
  return snapshot.exists ? decode(handoffSchema, snapshot) : { ...BOT_HANDOFF };
}
