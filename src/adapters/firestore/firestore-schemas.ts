import type { DocumentSnapshot } from '@google-cloud/firestore';
import { z } from 'zod';
import { ChatStoreRejectedError } from './chat-store-unavailable-error.js';

// The record shapes are shared with the PostgreSQL chat store; re-exported where they always were.
export { agentReplySchema, channelSettingsSchema, conversationSchema, handoffSchema, messageRecordSchema } from '../codec/chat-schemas.js';

/** `outbound/{outboundId}` and `claims/{claim}`: which message a reply's id or a channel's message id belongs to. */
export const messagePointerSchema = z.object({ conversationId: z.string(), messageId: z.string() });

/** `channels/{accountId}/spend/{day}`: what was spent, and the shares held by generations in flight. */
export const spendSchema = z.object({
  usd: z.number().default(0),
  reservations: z.record(z.string(), z.object({ usd: z.number(), until: z.number() })).default({}),
});

/** A message in a participant's window: enough to tell whether it got the limit reply. */
export const windowMessageSchema = z.object({ message: z.object({ id: z.string() }), reply: z.object({ kind: z.string() }).optional() });

/**
 * A stored document that does not have the shape the store writes (edited by hand, written by
 * another version): permanent, a redelivery reads the same document. It names the document and
 * the first bad field, never a value (documents hold message text and phone numbers).
 */
export class MalformedDocumentError extends ChatStoreRejectedError {
  constructor(
    readonly documentPath: string,
    readonly field: string,
    problem: string,
  ) {
    super(`chat store document ${documentPath} is malformed: ${field}: ${problem}`);
  }
}

/** The document's data as `schema` describes it; a `MalformedDocumentError` when it does not fit. */
export function decode<T>(schema: z.ZodType<T>, snapshot: Pick<DocumentSnapshot, 'ref' | 'data'>): T {
  const result = schema.safeParse(snapshot.data());
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(document)';
  throw new MalformedDocumentError(snapshot.ref.path, field, issue?.message ?? 'does not match its schema');
}
