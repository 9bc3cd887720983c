import type { DocumentSnapshot } from '@google-cloud/firestore';
import { z } from 'zod';
import type { ChannelSettings } from '../../domain/model/channel-settings.js';
import type { Conversation } from '../../domain/model/conversation.js';
import type { DeliveryState } from '../../domain/model/delivery-status.js';
import type { DeliveryInfo, Failure, MessageRecord, MessageState, WindowTemplateSend } from '../../domain/model/message-record.js';
import type { Reply, ReplyKind } from '../../domain/model/reply.js';
import { inboundMessageSchema } from '../codec/event-schemas.js';
import type { StoredRecord } from '../codec/stored-reasons.js';
import { CHANNELS } from '../../domain/model/ids.js';
import { ChatStoreRejectedError } from './chat-store-unavailable-error.js';

// Each shape lists every field of its domain type (`satisfies Record<keyof T, …>`), and each enum
// every member: a field or state added to the model fails to compile here until it is decoded.
const enumOf = <T extends string>(members: Record<T, true>) => z.enum(Object.keys(members) as [T, ...T[]]);

const messageState = enumOf<MessageState>({
  received: true,
  generating: true,
  answered: true,
  sending: true,
  sent: true,
  unsent: true,
  failed: true,
  'send-unknown': true,
  skipped: true,
});
const deliveryState = enumOf<DeliveryState>({ sent: true, delivered: true, read: true, played: true, failed: true });
const replyKind = enumOf<ReplyKind>({ ai: true, fallback: true, media: true, limit: true });

const reply = z.object({
  text: z.string(),
  kind: replyKind,
  model: z.string().optional(),
  usage: z.object({ prompt: z.number(), completion: z.number() }),
  costUsd: z.number(),
  latencyMs: z.number(),
  createdAt: z.number(),
} satisfies Record<keyof Reply, z.ZodType>);

const delivery = z.object({
  status: deliveryState,
  at: z.number(),
  pricingCategory: z.string().optional(),
  errorCode: z.number().optional(),
} satisfies Record<keyof DeliveryInfo, z.ZodType>);

const failure = z.object({ stage: z.enum(['generate', 'send']), reason: z.string() } satisfies Record<keyof Failure, z.ZodType>);

const windowTemplate = z.object({
  name: z.string(),
  state: z.enum(['sending', 'sent', 'unsent', 'failed', 'unknown']),
  at: z.number(),
  outboundIds: z.array(z.string()).optional(),
  reason: z.string().optional(),
} satisfies Record<keyof WindowTemplateSend, z.ZodType>);

/** A message document; its storage-only fields (receivedAt, sentAt, expireAt, participantKey, writeToken) are dropped. */
/** Reasons and notes are decoded as strings: `currentRecord` reads older spellings as today's. */
export const messageRecordSchema: z.ZodType<StoredRecord> = z.object({
  message: inboundMessageSchema,
  state: messageState,
  version: z.number(),
  attempts: z.number(),
  sendAttempts: z.number(),
  leaseUntil: z.number(),
  reply: reply.optional(),
  outboundIds: z.array(z.string()),
  delivery: delivery.optional(),
  failure: failure.optional(),
  note: z.string().optional(),
  foldedInto: z.string().optional(),
  templateFallback: z.string().optional(),
  transcript: z.string().optional(),
  folded: z.array(z.string()).optional(),
  recorded: z.boolean(),
  resolved: z.object({ status: deliveryState, at: z.number() }).optional(),
  windowTemplate: windowTemplate.optional(),
  updatedAt: z.number(),
} satisfies Record<keyof MessageRecord, z.ZodType>);

/** A conversation document, without its id (the document's) and its storage-only fields. */
export const conversationSchema: z.ZodType<Omit<Conversation, 'id'>> = z.object({
  channel: z.enum(CHANNELS),
  accountId: z.string(),
  participant: z.object({ id: z.string(), name: z.string().optional() }),
  createdAt: z.number(),
  lastMessageAt: z.number(),
  messageCount: z.number(),
} satisfies Record<Exclude<keyof Conversation, 'id'>, z.ZodType>);

export const channelSettingsSchema: z.ZodType<ChannelSettings> = z.object({
  accountId: z.string(),
  systemPrompt: z.string().optional(),
  model: z.string().optional(),
  temperature: z.number().optional(),
  maxReplyTokens: z.number().optional(),
  historyMessages: z.number().optional(),
  historyTokenBudget: z.number().optional(),
  fallbackText: z.string().optional(),
  mediaReplyText: z.string().optional(),
  ratePerMinute: z.number().optional(),
  dailySpendCapUsd: z.number().optional(),
  limitReplyText: z.string().optional(),
  windowTemplate: z.object({ name: z.string(), language: z.string() }).optional(),
  updatedAt: z.number(),
} satisfies Record<keyof ChannelSettings, z.ZodType>);

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
