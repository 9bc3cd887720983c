import type { MikroORM } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import type { MessageRecord } from '../../domain/model/message-record.js';
import { currentRecord } from '../codec/stored-reasons.js';
import { userKeyFor } from '../../domain/model/ids.js';
import type { InboundMessage } from '../../domain/model/message.js';
import type { ParticipantRef } from '../../domain/ports/conversation-archive.js';
import { ChatStoreRejectedError, ChatStoreUnavailableError } from '../chat-store-errors.js';
import { messageRecordSchema } from '../codec/chat-schemas.js';
import { entityManager } from './database.js';
import { at, reusable, run, type Sql } from './sql-fragment.js';

// SQLSTATE classes a redelivery can overcome: connection exception, transaction rollback
// (serialization, deadlock), insufficient resources, operator intervention (shutdown), system error.
const TRANSIENT_CLASSES: ReadonlySet<string> = new Set(['08', '40', '53', '57', '58']);
// Data exception (a NUL character, an invalid escape) and program limit (an index row too large):
// the same statement is refused on every redelivery, like Firestore's INVALID_ARGUMENT.
const REFUSED_CLASSES: ReadonlySet<string> = new Set(['22', '54']);
const NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

const codeOf = (error: unknown): string | undefined => {
  const { code, sqlState } = (error ?? {}) as { code?: unknown; sqlState?: unknown };
  return typeof sqlState === 'string' ? sqlState : typeof code === 'string' ? code : undefined;
};

/** A lost connection or pool timeout has no SQLSTATE: the driver says so in words. */
const CONNECTION_LOST = /connection terminated|connection (is )?closed|timeout exceeded when trying to connect|cannot use a pool after calling end|client has encountered a connection error/i;

/**
 * Unreachable or overloaded database: a retryable ChatStoreUnavailableError (the bus redelivers).
 * A refused value: a permanent ChatStoreRejectedError naming only the SQLSTATE (the driver's own
 * message may quote the row: message text, phone numbers). Anything else is rethrown as is.
 */
export function translateSqlError(operation: string, error: unknown): never {
  const code = codeOf(error);
  if (code && (NETWORK_CODES.has(code) || TRANSIENT_CLASSES.has(code.slice(0, 2)))) {
    throw new ChatStoreUnavailableError(`chat store ${operation} failed (${code})`, { cause: error });
  }
  if (code && /^[0-9A-Z]{5}$/.test(code) && REFUSED_CLASSES.has(code.slice(0, 2))) {
    throw new ChatStoreRejectedError(`chat store ${operation} refused the request (SQLSTATE ${code})`);
  }
  if (!code && error instanceof Error && CONNECTION_LOST.test(error.message)) {
    throw new ChatStoreUnavailableError(`chat store ${operation} lost its connection`, { cause: error });
  }
  throw error;
}

/** One statement on the request's entity manager (its transaction, if any), errors translated; prepared on PGlite (a fixed text each). */
export async function query<Row>(orm: MikroORM, operation: string, statement: Sql): Promise<Row[]> {
  // PostgreSQL text cannot hold U+0000, and the wire protocol takes a NUL in a statement for a broken
  // message (08P01, a connection error): refused here, so it is never mistaken for an outage.
  if (statement.params.some((param) => typeof param === 'string' && param.includes('\0'))) {
    throw new ChatStoreRejectedError(`chat store ${operation} refused a value holding a NUL character`);
  }
  try {
    return await run<Row>(entityManager(orm), reusable(statement));
  } catch (error) {
    translateSqlError(operation, error);
  }
}

/** A stored message row: its JSONB record (without `version`) and its version column. */
export interface RecordRow {
  record: unknown;
  version: number;
}

/** The domain record of a row, decoded with the shared record schema (older reason spellings read as today's). */
export function recordOf(row: RecordRow): MessageRecord {
  return currentRecord(decodeRow(messageRecordSchema, 'chat_message', { ...(row.record as object), version: Number(row.version) }));
}

/**
 * A stored row that does not have the shape the store writes (edited by hand, written by another
 * version): permanent, a redelivery reads the same row. It names the table and the first bad field,
 * never a value (records hold message text and phone numbers).
 */
export class MalformedRowError extends ChatStoreRejectedError {
  constructor(
    readonly table: string,
    readonly field: string,
    problem: string,
  ) {
    super(`chat store row of ${table} is malformed: ${field}: ${problem}`);
  }
}

/** `value` as `schema` describes it; a MalformedRowError when it does not fit. */
export function decodeRow<T>(schema: z.ZodType<T>, table: string, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(row)';
  throw new MalformedRowError(table, field, issue?.message ?? 'does not match its schema');
}

/** The pseudonymous key of a message's sender (as Firestore stores it): windows and erasure find a person by it, never by a phone number. */
export const participantKeyOf = (of: ParticipantRef | InboundMessage): string =>
  'participantId' in of ? userKeyFor(of.channel, of.accountId, of.participantId) : userKeyFor(of.channel, of.accountId, of.participant.id);

/** JSON text for a `::jsonb` parameter. */
export const jsonb = (value: unknown): string => JSON.stringify(value);

/** The write time stamped on a row: the retention sweep compares it with its cutoff (Firestore's TTL refresh). */
export const writtenNow = (): Sql => at(Date.now());
